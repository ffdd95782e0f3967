"""The app and the CLI stay thin shells: no function in app.py or govqa/webapp_core.py over 60 lines (each
tab is a module of govqa/web), and govqa/cli.py reaches bot/, vectorstore/ and ingest/ only through the
service layer (govqa/library.py)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 60


def _functions(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(n.name, n.end_lineno - n.lineno + 1) for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.end_lineno is not None]


def test_no_long_function_in_the_app_shell():
    for name in ("app.py", "govqa/webapp_core.py"):
        functions = _functions(ROOT / name)
        assert functions, name
        long = [(f, n) for f, n in functions if n > MAX_LINES]
        assert long == [], f"{name}: {long}"


def test_the_cli_imports_only_the_service_layer():
    tree = ast.parse((ROOT / "govqa" / "cli.py").read_text(encoding="utf-8"))
    modules = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    modules += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert modules and not [m for m in modules if m.split(".")[0] in ("bot", "vectorstore", "ingest")], modules
