"""The govqa command line: a thin layer over the stages (ingest -> vectorstore -> bot -> eval)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
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


def _load_gold(path: Path) -> list[dict]:
    from eval.gold import GoldError, load_gold

    try:
        return load_gold(path)
    except (GoldError, OSError) as exc:
        _fail(str(exc))
        raise


@contextmanager
def _fresh_store(corpus: Path) -> Iterator[Any]:
    """A temporary store holding only ``corpus``; the embedding cache stays shared so nothing is embedded twice."""
    from ingest.pipeline import ingest as run_ingest

    with tempfile.TemporaryDirectory(prefix="govqa-eval-") as tmp:
        base = get_settings()
        settings = base.model_copy(update={"data_dir": Path(tmp), "cache_dir": base.cache_path.resolve()})
        store = _store(settings, progress=sys.stderr.isatty())
        report = run_ingest(store, [corpus], progress=sys.stderr.isatty())
        for o in report.failed:
            typer.secho(f"[失败] {o.path}: {o.reason}", fg="red", err=True)
        yield store


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
    from eval.retrieval import run_retrieval_eval

    items = _load_gold(gold)
    with _fresh_store(corpus) as store:
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


@eval_app.command("answers")
def eval_answers(
    corpus: Path = typer.Option(..., help="语料文件夹：导入到一个临时的新存储"),
    gold: Path = typer.Option(..., help="gold 文件（jsonl）或文件夹"),
    out: Path | None = typer.Option(None, "--json", help="把完整结果写入此 JSON 文件"),
    min_exact: float = typer.Option(0.0, help="numeric_exact 低于此值则失败（CI 用 0.9）"),
    max_wrong: float = typer.Option(1.0, help="wrong_rate 高于此值则失败（CI 用 0.03）"),
    backend: str = typer.Option("auto", help="auto | extractive | llm（只用大模型）"),
) -> None:
    """回答评测：数值精确率、错答率、拒答率、引用有效率与延迟。"""
    from eval.answers import run_answer_eval

    items = _load_gold(gold)
    with _fresh_store(corpus) as store:
        result = run_answer_eval(store, items, backend=backend)
    for r in result["items"]:
        if not r["exact"]:
            mark = "错答" if r["wrong"] else "未答对"
            typer.echo(f"{mark} {r['id']}  回答={r['answer'][:60]}")
    keys = ("numeric_exact", "wrong_rate", "refused_rate", "unanswerable_correct", "fact_correct", "citation_valid",
            "latency_ms_p50", "latency_ms_p95")
    typer.echo("  ".join(f"{k}={result[k]}" for k in keys) + f"  (n={result['n']})")
    if out:
        _print_json(result, out)
    failed = result["numeric_exact"] < min_exact or result["wrong_rate"] > max_wrong or (
        any(r["type"] == "unanswerable" for r in result["items"]) and result["unanswerable_correct"] < 1.0 and min_exact > 0)
    if failed:
        _fail("回答评测未达标")


@app.command()
def ask(
    question: str = typer.Argument(..., help="问题"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
    backend: str = typer.Option("auto", help="auto（数字抽取，其他事实问题用大模型）| extractive | llm"),
) -> None:
    """回答问题：给出数值（含单位）与引用原句；报告中没有时回答“报告中未找到”。"""
    from bot.answer import answer_question

    store = _store()
    ans = answer_question(store, question, backend=backend)
    if as_json:
        _print_json(ans.to_dict())
        return
    if ans.refused:
        typer.secho(ans.answer, fg="yellow", bold=True)
        for c in ans.closest:
            typer.echo(f"  最接近的段落：{c.source} [{c.start}:{c.end}] {c.quote[:120]}")
        return
    typer.secho(f"答：{ans.answer}", bold=True)
    for c in ans.citations:
        quote = c.quote
        for v in ans.values:
            if v.citation == c and v.text in quote:
                quote = quote.replace(v.text, typer.style(v.text, fg="green", bold=True), 1)
        typer.echo(f"  引用：{c.title or c.source}（{c.source} [{c.start}:{c.end}]）\n    {quote}")
    typer.echo(f"  （{ans.backend}，{ans.latency_ms:.0f} ms）")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
