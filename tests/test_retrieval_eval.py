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


def test_layout_evidence_is_found_in_the_row_rebuilt_at_ingest():
    # data/heldout/h2 运城经开区 2020 (p_3bf49806): the page prints 行政许可 34 16 773 one cell per line; ingest
    # rebuilds the row as 【表1】…行政许可｜上一年项目数量=34｜本年增/减=16｜处理决定数量=773
    from eval.retrieval import evidence_ranks

    row = "【表1】第二十条第（五）项/行政许可｜上一年项目数量=34｜本年增/减=16｜处理决定数量=773"
    assert evidence_ranks(["行政许可\n\n34\n\n16\n\n773"], ["另一段", row]) == [2]
    assert evidence_ranks(["行政许可\n\n34\n\n16\n\n773"], [row.replace("=34", "=134")]) == [None]  # numbers whole
    # data/heldout/h6 平潭 2024 (p_3f82031c) prints the row glued: 一、本年新收政府信息公开申请数量21710000218
    new = ("【表2】一、本年新收政府信息公开申请数量｜自然人=217｜法人或其他组织/商业企业=1｜法人或其他组织/科研机构=0｜"
           "法人或其他组织/社会公益组织=0｜法人或其他组织/法律服务机构=0｜法人或其他组织/其他=0｜总计=218")
    assert evidence_ranks(["一、本年新收政府信息公开申请数量21710000218"], [f"上文\n{new}\n下文"]) == [1]
    assert evidence_ranks(["一、本年新收政府信息公开申请数量21710000219"], [new]) == [None]
