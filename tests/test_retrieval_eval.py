"""The retrieval eval through the CLI, on the real demo corpus and gold file."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from govqa.cli import app
from tests.conftest import DEMO, GOLD


def test_recall_at_4_on_gold(tmp_path, env):
    out = tmp_path / "recall.json"
    result = CliRunner().invoke(app, ["eval", "retrieval", "--corpus", str(DEMO), "--gold", str(GOLD), "--k", "4",
                                      "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {"recall_at_k", "k", "n", "items"} <= data.keys()
    assert data["k"] == 4 and data["retrievers"] == ["bm25", "dense"]
    gold_lines = [json.loads(x) for f in sorted(GOLD.glob("*.jsonl"))
                  for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert data["n"] == sum(g["type"] != "unanswerable" for g in gold_lines)
    assert data["recall_at_k"] >= 0.97, [i for i in data["items"] if not i["hit"]]
    assert all({"id", "hit", "ranks"} <= i.keys() for i in data["items"])
