"""The govqa command line: a thin layer over the stages (ingest -> vectorstore -> bot -> eval)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import typer

from govqa.settings import Settings, get_settings
from govqa.types import META_FIELDS

app = typer.Typer(help="govqa：政府信息公开年度报告问答与摘要。", no_args_is_help=True, add_completion=False)
docs_app = typer.Typer(help="列出文档及其元数据；`docs set` 修正元数据。", invoke_without_command=True)
eval_app = typer.Typer(help="评测：retrieval（检索召回率）。", no_args_is_help=True)
app.add_typer(docs_app, name="docs")
app.add_typer(eval_app, name="eval")


def _store(settings: Settings | None = None, progress: bool = False):
    from vectorstore.store import Store

    return Store(settings or get_settings(), progress=progress)


def _print_json(obj: Any, out: Path | None = None) -> None:
    text = json.dumps(obj, ensure_ascii=False, indent=2)
    if out:
        tmp = out.with_suffix(out.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, out)
    else:
        typer.echo(text)


def _fail(message: str, code: int = 1) -> None:
    typer.secho(f"错误：{message}", fg="red", err=True)
    raise typer.Exit(code)


_STATUS_ZH = {"added": "已导入", "replaced": "已更新", "unchanged": "未变化", "duplicate": "重复", "failed": "失败"}


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="文件或文件夹（.txt .md .html .htm）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出结果"),
) -> None:
    """导入报告：读取、规范化、识别元数据、切块并写入 Chroma 与 BM25 索引。"""
    from dataclasses import asdict

    from ingest.pipeline import ingest as run_ingest

    store = _store(progress=not as_json)
    report = run_ingest(store, paths, progress=not as_json)
    if as_json:
        _print_json([asdict(o) for o in report.outcomes])
    else:
        for o in report.outcomes:
            line = f"[{_STATUS_ZH[o.status]}] {o.path}"
            if o.doc_id:
                m = o.meta
                line += f"  {o.doc_id}  {m.get('region') or '?'} {m.get('year') or '?'} {m.get('kind')}  {o.chunks} 块"
            if o.reason:
                line += f"  原因：{o.reason}"
            typer.secho(line, fg="red" if o.status == "failed" else None, err=o.status == "failed")
        summary = "，".join(f"{_STATUS_ZH[s]} {report.count(s)}" for s in _STATUS_ZH if report.count(s))
        typer.echo(f"共 {len(report.outcomes)} 个文件：{summary}")
    if report.failed:
        raise typer.Exit(1)


@docs_app.callback()
def docs(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
    """列出所有文档：编号、文件名、地区、级别、年份、类型、发布单位、标题与块数。"""
    if ctx.invoked_subcommand:
        return
    rows = _store().documents()
    if as_json:
        _print_json(rows)
        return
    if not rows:
        typer.echo("还没有导入任何文档。用 `govqa ingest 文件夹` 导入。")
    for d in rows:
        m = d["meta"]
        typer.echo(
            f"{d['doc_id']}  {d['source']}  地区={m.get('region') or '—'} 级别={m.get('level') or '—'} "
            f"年份={m.get('year') or '—'} 类型={m.get('kind') or '—'} 发布单位={m.get('issuer') or '—'} "
            f"发布日期={m.get('published') or '—'} 块数={d['n_chunks']}\n    标题：{m.get('title') or '—'}"
        )


@docs_app.command("set")
def docs_set(
    doc: str = typer.Argument(..., help="文档编号（或前缀）或文件名"),
    fields: list[str] = typer.Argument(..., help="key=value，可用字段：" + "、".join(META_FIELDS)),
) -> None:
    """修正文档元数据（同时更新已存的分块）。"""
    from vectorstore.store import StoreError

    updates: dict[str, Any] = {}
    for f in fields:
        key, sep, value = f.partition("=")
        if not sep or key not in META_FIELDS:
            _fail(f"无法识别 {f!r}：应为 key=value，key 取 {', '.join(META_FIELDS)}", 2)
        if key == "year":
            if not value.isdigit() or not 1900 < int(value) < 2200:
                _fail(f"year 必须是四位年份，收到 {value!r}", 2)
            updates[key] = int(value)
        else:
            updates[key] = value or None
    store = _store()
    try:
        meta = store.set_meta(store.resolve(doc), updates)
    except StoreError as exc:
        _fail(str(exc))
    store.bm25.rebuild(store.registry)
    typer.echo("已更新：" + json.dumps(meta, ensure_ascii=False))


@app.command()
def remove(doc: str = typer.Argument(..., help="文档编号（或前缀）或文件名")) -> None:
    """从所有索引中删除一个文档。"""
    from vectorstore.store import StoreError

    store = _store()
    try:
        doc_id = store.resolve(doc)
    except StoreError as exc:
        _fail(str(exc))
    store.remove(doc_id)
    typer.echo(f"已删除 {doc_id}")


@app.command()
def search(
    question: str = typer.Argument(..., help="问题"),
    k: int = typer.Option(0, "-k", help="返回块数（默认取设置 top_k）"),
    no_filter: bool = typer.Option(False, "--no-filter", help="不按问题中的地区/年份过滤"),
    mode: str = typer.Option("hybrid", help="hybrid | bm25 | dense"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """检索与问题最相关的文本块（含文档、元数据、分数与字符位置）。"""
    from vectorstore.retriever import search as run_search
    from vectorstore.tokenize import tokenize

    store = _store()
    hits, flt = run_search(store, question, k=k or None, use_filter=not no_filter, mode=mode)
    terms = set(tokenize(question))
    if as_json:
        _print_json({"question": question, "filter": flt.describe(), "hits": [h.to_dict() for h in hits]})
        return
    typer.echo(f"过滤：{flt.describe()}；命中 {len(hits)} 块")
    for rank, h in enumerate(hits, 1):
        m = h.meta
        matched = sorted({t for t in terms if t in h.chunk.text}, key=len, reverse=True)[:8]
        typer.secho(
            f"\n#{rank} 分数 {h.score:.4f}  {h.source}  [{h.chunk.start}:{h.chunk.end}]  "
            f"{m.get('region') or '—'} {m.get('year') or '—'} {m.get('kind') or '—'}  排名 {h.ranks}",
            bold=True,
        )
        typer.echo(f"匹配词：{'、'.join(matched) or '—'}")
        typer.echo(h.chunk.text)


@eval_app.command("retrieval")
def eval_retrieval(
    corpus: Path = typer.Option(..., help="语料文件夹：导入到一个临时的新存储"),
    gold: Path = typer.Option(..., help="gold 文件（jsonl）或文件夹"),
    k: int = typer.Option(4, "--k", "-k"),
    out: Path | None = typer.Option(None, "--json", help="把完整结果写入此 JSON 文件"),
    no_filter: bool = typer.Option(False, "--no-filter"),
    mode: str = typer.Option("hybrid", help="hybrid | bm25 | dense"),
) -> None:
    """检索评测：recall@k（证据字符串落在前 k 个块中）。"""
    from eval.gold import GoldError, load_gold
    from eval.retrieval import run_retrieval_eval
    from ingest.pipeline import ingest as run_ingest

    try:
        items = load_gold(gold)
    except (GoldError, OSError) as exc:
        _fail(str(exc))
    with tempfile.TemporaryDirectory(prefix="govqa-eval-") as tmp:
        # The embedding cache stays shared, so repeated evals never embed a chunk twice.
        base = get_settings()
        settings = base.model_copy(update={"data_dir": Path(tmp), "cache_dir": base.cache_path.resolve()})
        store = _store(settings, progress=sys.stderr.isatty())
        report = run_ingest(store, [corpus], progress=sys.stderr.isatty())
        for o in report.failed:
            typer.secho(f"[失败] {o.path}: {o.reason}", fg="red", err=True)
        result = run_retrieval_eval(store, items, k, use_filter=not no_filter, mode=mode)
    for it in result["items"]:
        if not it["hit"]:
            typer.echo(f"未命中 {it['id']}  证据排名={it['ranks']}  过滤={it['filter']}")
    typer.echo(
        f"recall@{k} = {result['recall_at_k']:.4f}  (n={result['n']}, 检索器={'+'.join(result['retrievers'])}, "
        f"过滤={'开' if not no_filter else '关'})"
    )
    if out:
        _print_json(result, out)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
