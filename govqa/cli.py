"""The govqa command line: a thin shell over the service layer (govqa/library.py).

Each command parses its input, calls one Library method (or one eval over a fresh library)
and renders the result; errors the user can fix are printed in Chinese, never as a traceback.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import typer

from govqa.library import Library, LibraryError, changes, registry_unreadable
from govqa.meta import echo, region_text
from govqa.settings import get_settings
from govqa.types import META_FIELDS, STATUS_ZH, Backend, SearchMode, Status, SummaryBackend

app = typer.Typer(help="govqa：政府信息公开年度报告问答与摘要。", no_args_is_help=True, add_completion=False)
docs_app = typer.Typer(help="列出文档及其元数据；`docs set` 修正元数据。", invoke_without_command=True)
eval_app = typer.Typer(help="评测：retrieval（检索召回率）、answers（回答）、summaries（摘要）、metadata（元数据）。",
                       no_args_is_help=True)
app.add_typer(docs_app, name="docs")
app.add_typer(eval_app, name="eval")
log = logging.getLogger("govqa")


def _library(progress: bool = False, **settings: Any) -> Library:
    try:
        return Library(get_settings().model_copy(update=settings) if settings else None, progress=progress)
    except LibraryError as exc:
        _fail(str(exc))


def _print_json(obj: Any, out: Path | None = None) -> None:
    text = json.dumps(obj, ensure_ascii=False, indent=2)
    if out:
        _write(out, text)
    else:
        typer.echo(text)


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.secho(f"错误：{message}", fg="red", err=True)
    raise typer.Exit(code)


def _write(path: Path, text: str) -> None:
    """Whole file or nothing: write beside it, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="文件或文件夹（.txt .md .html .htm）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出结果"),
    vectors_later: bool = typer.Option(False, "--vectors-later",
                                       help="先只建关键词索引（快），向量之后用 govqa repair 补齐"),
) -> None:
    """导入报告：读取、规范化、识别元数据、切块并写入关键词索引与 Chroma 向量库。

    大批量导入可随时中断（含 kill -9）：重新运行同一命令会跳过已导入的文件，从中断处继续。"""
    from dataclasses import asdict

    extra = {"embedding_backend": "none"} if vectors_later else {}
    report = _library(progress=not as_json, **extra).add(paths, progress=not as_json)
    if as_json:
        _print_json([asdict(o) for o in report.outcomes])
    else:
        for o in report.outcomes:
            line = f"[{STATUS_ZH[o.status]}] {o.path}"
            if o.doc_id:
                m = o.meta
                line += f"  {o.doc_id}  {m.region or '?'} {m.year or '?'} {m.kind or '?'}  {o.chunks} 块"
            if o.reason:
                line += f"  原因：{o.reason}"
            failed = o.status == Status.failed
            typer.secho(line, fg="red" if failed else None, err=failed)
        summary = "，".join(f"{STATUS_ZH[s]} {report.count(s)}" for s in Status if report.count(s))
        typer.echo(f"共 {len(report.outcomes)} 个文件：{summary}")
        if vectors_later and report.new_ids:
            typer.echo("已可按关键词检索；向量尚未生成，运行 govqa repair 补齐（govqa docs 显示每份报告的向量数）。")
    if report.failed:
        raise typer.Exit(1)


@docs_app.callback()
def docs(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
    """列出所有文档：编号、文件名、地区、级别、年份、类型、发布单位、标题、块数与向量数。"""
    if ctx.invoked_subcommand:
        return
    library = _library()
    rows = library.documents()
    vectors = library.vector_counts()
    if as_json:
        _print_json([{**d.to_dict(), "vectors": vectors.get(d.doc_id, 0)} for d in rows])
        return
    if not rows:
        typer.echo("还没有导入任何文档。用 `govqa ingest 文件夹` 导入。")
    for d in rows:
        m = d.meta
        level = (m.level or "—") + (f"（{m.dept_level}）" if m.dept_level else "")
        typer.echo(
            f"{d.doc_id}  {d.source}  地区={region_text(m) or '—'} 级别={level} "
            f"年份={m.year or '—'} 类型={m.kind or '—'} 发布单位={m.issuer or '—'} "
            f"发布日期={m.published or '—'} 块数={d.n_chunks} 向量={vectors.get(d.doc_id, 0)}"
            f"\n    标题：{m.title or '—'}"
        )
        for field, ev in m.evidence.items():
            if field != "title":
                typer.echo(f"    {field} 依据：{ev.line[:80]}（{ev.source or '—'}，可信度 {ev.confidence:.2f}）")


@docs_app.command("set")
def docs_set(
    doc: str = typer.Argument(..., help="文档编号（或前缀）或文件名"),
    fields: list[str] = typer.Argument(..., help="key=value，可用字段：" + "、".join(META_FIELDS)),
) -> None:
    """修正文档元数据（同时更新已存的分块）；值的检查与浏览器界面相同。"""
    updates: dict[str, str | None] = {}
    for f in fields:
        key, sep, value = f.partition("=")
        if not sep:
            _fail(f"无法识别 {echo(f)!r}：应为 key=value，key 取 {', '.join(META_FIELDS)}", 2)
        updates[key.strip()] = value
    try:
        meta = _library().set_meta(doc, updates)
    except LibraryError as exc:
        _fail(str(exc), 2)
    typer.echo("已更新：" + json.dumps(meta.to_dict(), ensure_ascii=False))


@app.command()
def remove(doc: str = typer.Argument(..., help="文档编号（或前缀）、相对路径或文件名")) -> None:
    """从所有索引中删除一个文档（连同它的摘要与上传的文件）。"""
    try:
        record = _library().remove(doc)
    except LibraryError as exc:
        _fail(str(exc))
    typer.echo(f"已删除 {record.doc_id}")


@app.command()
def tables(
    doc: str = typer.Argument(..., help="文档编号（或前缀）、相对路径或文件名"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出（每个单元格一条，含其在原文中的位置）"),
) -> None:
    """列出报告的统计表（主动公开、收到和处理申请、复议诉讼）：按行列出各单元格；空白单元格保持空白。"""
    try:
        cells = _library().tables(doc)
    except LibraryError as exc:
        _fail(str(exc))
    if as_json:
        _print_json([c.to_dict() for c in cells])
        return
    if not cells:
        typer.echo("该报告中没有识别出统计表（txt 中被压平的表格不会被猜测拆分）。")
        return
    row = None
    for c in cells:
        if (c.table, c.row) != row:
            row = (c.table, c.row)
            typer.secho(f"\n表{c.table}（{c.kind}） {c.row}", bold=True)
        shown = c.raw if c.raw else "（空白）"
        typer.echo(f"  {c.col} = {shown}{c.unit if c.raw else ''}  [{c.start}:{c.end}]")


@app.command()
def audit(
    doc: str | None = typer.Argument(None, help="文档编号（或前缀）、相对路径或文件名"),
    all_docs: bool = typer.Option(False, "--all", help="核查所有报告（含同一单位前后年度的结转）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出每项核查（含所引单元格与原文位置）"),
    show_pass: bool = typer.Option(False, "--pass", help="也列出相符（PASS）的核查"),
) -> None:
    """勾稽关系核查：表格各项之和、收支平衡、复议诉讼合计、正文与表格、部分与总数、跨年结转；只指出，不改动原文。"""
    if bool(doc) == all_docs:
        _fail("请给出一个文档，或使用 --all", 2)
    try:
        findings = _library().audit(None if all_docs else doc)
    except LibraryError as exc:
        _fail(str(exc))
    if as_json:
        _print_json([f.to_dict() for f in findings])
        return
    colour = {"PASS": "green", "FAIL": "red", "UNCERTAIN": "yellow"}
    for f in findings:
        if f.status == "PASS" and not show_pass:
            continue
        typer.secho(f"[{f.status}] {f.source}  {f.check}：{f.message}", fg=colour[f.status])
        if f.arithmetic:
            typer.echo(f"    算式：{f.arithmetic}")
        quotes = {(c.start, c.end): c.quote for c in f.cited}
        for (start, end), quote in list(quotes.items())[:3]:
            typer.echo(f"    依据 [{start}:{end}]：{quote[:110]}")
    counts = {s: sum(f.status == s for f in findings) for s in ("PASS", "FAIL", "UNCERTAIN")}
    typer.echo(f"共 {len(findings)} 项核查：相符 {counts['PASS']}，不符 {counts['FAIL']}，无法核对 {counts['UNCERTAIN']}")


@app.command()
def compare(
    row: str = typer.Argument(..., help="表格行（可写其中一部分，如 本年新收、予以公开、行政复议）"),
    col: str = typer.Option("总计", "--col", help="列（如 自然人、行政复议/总计），默认 总计"),
    docs: list[str] = typer.Option([], "--doc", help="只比较这些报告（可多次给出），默认全部"),
    png: Path | None = typer.Option(None, "--png", help="把对比图写入此 PNG 文件"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出（每个点含所引原文行）"),
) -> None:
    """同一指标跨报告对比（按年份或按单位）：每个点引用其表格行；缺失的显示为缺失，不当作 0。"""
    try:
        key, points = _library().compare(row, col, docs or None)
    except LibraryError as exc:
        _fail(str(exc))
    if png:
        from govqa.charts import comparison_png

        comparison_png(points, f"{key} × {col}", png)
    if as_json:
        _print_json({"row": key, "col": col, "points": [p.to_dict() for p in points]})
        return
    typer.echo(f"{key} × {col}")
    for p in points:
        shown = f"{p.raw}{p.unit}" if p.value is not None else "缺失"
        where = f"  {p.source} {p.where} [{p.start}:{p.end}]" if p.quote else ""
        copies = f"  （同一报告的另一份文件：{'、'.join(p.copies)}，不重复计入）" if p.copies else ""
        typer.echo(f"  {p.year or '?'}  {p.label}  {shown}{where}{copies}")
    for change in changes([p.to_dict() for p in points]):
        typer.echo(f"  {change}")
    if png:
        typer.echo(f"图已写入 {png}")


@app.command()
def overview(
    csv_out: Path | None = typer.Option(None, "--csv", help="把总览写入此 CSV 文件（每个数字后附出处）"),
    xlsx_out: Path | None = typer.Option(None, "--xlsx", help="写入 Excel：总览、表格单元格、核查、对比 四张表"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出（每个数字含所引单元格与页码）"),
    region: str = typer.Option("", "--region", help="只列地区或发布单位含此名的报告"),
    year: str = typer.Option("", "--year", help="只列此年度的报告"),
    level: str = typer.Option("", "--level",
                              help="只列此级别（province/city/county/township/zone/department 或 省级/市级/县级…）"),
) -> None:
    """总览：每份报告一行（发布单位、地区、级别、年份、类型），列出新收、办结、予以公开、不予公开、复议、诉讼、纠错、结转
    （均引自报告的统计表），以及核查结果（不符/无法核对/相符）。同一报告的文字版与扫描版只算一行。"""
    from govqa.export import identity, overview_table

    if sum(bool(x) for x in (csv_out, xlsx_out, as_json)) > 1:
        _fail("--csv、--xlsx、--json 只能选一个", 2)
    library = _library()
    try:
        if csv_out or xlsx_out:
            path = library.export_overview(csv_out or xlsx_out, "csv" if csv_out else "xlsx", region, year, level)
            typer.echo(f"已写入 {path}")
            return
        rows = library.overview(region, year, level)
    except LibraryError as exc:
        _fail(str(exc))
    if as_json:
        _print_json([r.to_dict() for r in rows])
        return
    headers, body = overview_table(rows)
    n_id = len(identity(rows[0])) if rows else 0
    for r, line in zip(rows, body):
        figures = "  ".join(f"{h}={'—' if v is None else v}" for h, v in zip(headers[n_id:], line[n_id:]))
        copies = f"（同一报告另有 {'、'.join(r.copies)}）" if r.copies else ""
        typer.echo(f"{r.year or '?'}  {r.issuer or r.label}  {r.source}{copies}")
        typer.echo(f"    {figures}")
    if not rows:
        typer.echo("没有符合条件的报告。")


@app.command()
def reuse(
    doc: str = typer.Argument(..., help="文档编号（或前缀）、相对路径或文件名"),
    against: str | None = typer.Option(None, "--against", help="与哪份报告比较；默认同一单位上一年度的报告"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出（每段重复文字含两份报告中的位置）"),
    limit: int = typer.Option(20, "--limit", help="列出多少段重复文字（--json 全部输出）"),
) -> None:
    """逐年文字重复：本报告有多少句子和表格行照搬（或几乎照搬）上一年度的报告，并列出重复段落。"""
    try:
        r = _library().reuse(doc, against)
    except LibraryError as exc:
        _fail(str(exc))
    if as_json:
        _print_json(r.to_dict())
        return
    typer.echo(f"{r.label}\n  对比：{r.previous_label}")
    typer.echo(f"  句子：{r.sentences} 句中 {r.sentences_verbatim} 句逐字重复、{r.sentences_near} 句几乎相同"
               f"（{r.sentence_share:.0%}）")
    typer.echo(f"  表格行：{r.rows} 行中 {r.rows_repeated} 行（含数字）完全相同（{r.row_share:.0%}），"
               f"其中 {r.rows_zero} 行全为 0 或空白")
    for x in r.repeats[:limit]:
        how = "逐字" if x.similarity == 1.0 else f"相似度 {x.similarity:.2f}"
        typer.echo(f"  [{x.start}:{x.end}] {how}：{x.quote[:100]}")
        if x.similarity < 1.0:
            typer.echo(f"      上一年 [{x.prev_start}:{x.prev_end}]：{x.prev_quote[:100]}")
    if len(r.repeats) > limit:
        typer.echo(f"  ……另有 {len(r.repeats) - limit} 段（--limit 或 --json 查看全部）")


_STATUS_COLOUR = {"PASS": "green", "FAIL": "red", "UNCERTAIN": "yellow", "NA": None}


def _echo_assessment(a: Any, evidence: int) -> None:
    """One report's scorecard: every check with its rule, its message and up to ``evidence`` cited pieces."""
    from govqa.library import ASSESS_STATUS_ZH as STATUS_ZH

    low, high = a.score_range
    typer.secho(f"{a.label}（{a.source}）", bold=True)
    typer.echo(f"  适用规则：{a.rules_name or '—'}（{a.rules_why}）")
    if a.score is None:
        return
    counts = a.counts()
    typer.echo(f"  得分 {a.score:g} / 100（不确定项按 0 至 1 计：{low:g}–{high:g}）  通过 {counts['PASS']} · "
               f"不通过 {counts['FAIL']} · 不确定 {counts['UNCERTAIN']} · 不适用 {counts['NA']}")
    for c in a.checks:
        typer.secho(f"[{STATUS_ZH[c.status]}] {c.group}｜{c.name}（权重 {c.weight:g}）：{c.message}", fg=_STATUS_COLOUR[c.status])
        typer.echo(f"    规则：{c.rule}")
        for e in c.evidence[:evidence]:
            typer.echo(f"    · {e.note}")
            for cite in e.cites[:2]:
                where = f"{cite.source} " if cite.doc else ""
                typer.echo(f"        引文 {where}[{cite.start}:{cite.end}]：{cite.quote[:110]}")
        if len(c.evidence) > evidence:
            typer.echo(f"    ……另有 {len(c.evidence) - evidence} 条（--evidence 或 --json 查看全部）")


@app.command()
def assess(
    doc: str | None = typer.Argument(None, help="文档编号（或前缀）、相对路径或文件名"),
    all_docs: bool = typer.Option(False, "--all", help="评估所有年度报告并排名"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出（每项检查含条款、结果与所引原文位置）"),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="把排名与检查明细写入此 XLSX 文件"),
    region: str = typer.Option("", "--region", help="与 --all 同用：只排该地区（含其下辖地区）的报告"),
    level: str = typer.Option("", "--level", help="与 --all 同用：级别 province/city/county/township/zone/department"),
    year: str = typer.Option("", "--year", help="与 --all 同用：统计年度"),
    evidence: int = typer.Option(8, "--evidence", help="每项检查列出多少条证据"),
) -> None:
    """评估年度报告：按其应公布时施行的《条例》与年度报告格式，逐项检查 按时公布、内容完整、统计表、勾稽关系、
    问题具体、非照搬、上年度问题整改，每项给出 通过/不通过/不确定、依据条款与原文引文，并按权重计分；--all 给出排名。"""
    from govqa.types import LEVEL_ZH

    if bool(doc) == all_docs:
        _fail("请给出一个文档，或使用 --all", 2)
    if level and level not in LEVEL_ZH:
        _fail(f"--level 只能是 {'、'.join(LEVEL_ZH)}，收到 {level!r}", 2)
    library = _library()
    try:
        found = (library.assessments(region, level, year, progress=not as_json and sys.stderr.isatty()) if all_docs
                 else [library.assess(doc or "")])
    except LibraryError as exc:
        _fail(str(exc))
    if xlsx:
        from govqa.assess_xlsx import write_assessments

        try:
            write_assessments(xlsx, found)
        except OSError as exc:
            _fail(f"无法写入 {xlsx}：{exc}")
    if as_json:
        _print_json([a.to_dict() for a in found] if all_docs else found[0].to_dict())
    elif all_docs:
        from govqa.assess_xlsx import rank_rows

        if not found:
            typer.echo("没有符合条件的年度报告。")
        mark = {"通过": "✓", "不通过": "✗", "不确定": "?", "不适用": "–"}
        typer.echo("排名  得分  （区间）     及时 完整 一致 坦诚  确定度  年份  级别        报告")
        for a, row in zip(found, rank_rows(found)):
            rank, label, source, level_zh, year_ = row[0], row[1], row[2], row[4], row[5]
            low, high = a.score_range
            shown = "—" if a.score is None else f"{a.score:5g}  （{low:g}–{high:g}）"
            groups = "    ".join(mark[g] for g in row[10:14])
            decided = "—" if a.decided is None else f"{a.decided:.0%}"
            typer.echo(f"{rank:>3}  {shown:<18} {groups}    {decided:>5}  {year_ or '—':>4}  {level_zh or '—':<10}  "
                       f"{label}（{source}）")
        typer.echo("✓ 通过  ✗ 不通过  ? 不确定  – 不适用；确定度：已判定（通过或不通过）的权重占比，"
                   "低于 50% 的报告排在后面（证据不足）")
        typer.echo(f"共 {len(found)} 份年度报告" + (f"；排名与检查明细已写入 {xlsx}" if xlsx else ""))
    else:
        _echo_assessment(found[0], evidence)
        if xlsx:
            typer.echo(f"已写入 {xlsx}")


@app.command()
def repair() -> None:
    """修复报告库：按登记表重建关键词索引，补回缺失的向量（使用已缓存的嵌入），删除多余的向量。"""
    settings = get_settings()
    try:
        counts = Library(settings, progress=True).repair()
    except LibraryError as exc:
        if not registry_unreadable(settings):
            _fail(str(exc))
        typer.echo(f"登记表 {settings.data_dir}/registry.sqlite 无法读取，已移到一旁；按导入记录（sources.jsonl）重新导入……")
        try:
            counts = Library.restore(settings)
        except LibraryError as exc2:
            _fail(str(exc2))
    typer.echo(f"已修复：补回向量 {counts['vectors_added']} 个，关键词索引 {counts['keyword_chunks']} 块"
               + ("；已将损坏的文件移到一旁" if counts["set_aside"] else ""))
    if counts["vectors_removed"]:
        typer.echo(f"登记表中没有的向量 {counts['vectors_removed']} 个：已连同其文本另存到 {counts['vectors_set_aside_in']}，"
                   "再从向量库移出（任何内容的最后一份都不会被删除）")
    if counts.get("registry_set_aside_as"):
        typer.echo(f"关键词索引的页面已损坏：已按登记表的内容重建登记表文件，损坏的文件移到 {counts['registry_set_aside_as']}")
    if counts["restored"]:
        typer.echo(f"按导入记录重新导入 {counts['restored']} 份报告")
    if counts["layouts_added"]:
        typer.echo(f"补齐 {counts['layouts_added']} 份 PDF 的页码与位置（引用可显示“第N页”并在原页上框出）")
    for path in counts["layouts_missing"]:
        typer.secho(f"找不到 PDF 原文件，未能补齐页码：{path}", fg="yellow")
    for path in counts["missing_sources"]:
        typer.secho(f"找不到原文件，未能恢复：{path}（请重新导入）", fg="yellow")


@app.command()
def summarize(
    doc: str | None = typer.Argument(None, help="文档编号（或前缀）或文件名"),
    all_docs: bool = typer.Option(False, "--all", help="为所有文档生成摘要"),
    fmt: str = typer.Option("md", "--format", help="md | json"),
    out: Path | None = typer.Option(None, "--out", help="写入此文件；与 --all 同用且为文件夹时每篇一个文件"),
    backend: SummaryBackend | None = typer.Option(None, help="extractive（默认，不用大模型）| llm（大模型归纳，要点经核验）"),
    refresh: bool = typer.Option(False, "--refresh", help="忽略缓存，重新生成"),
) -> None:
    """生成报告的执行摘要：核心数据、主要工作、存在问题、改进措施（工作要点：主要任务、时限、责任单位），每条带引用。"""
    if fmt not in ("md", "json"):
        _fail(f"--format 只能是 md 或 json，收到 {fmt!r}", 2)
    if bool(doc) == all_docs:
        _fail("请给出一个文档，或使用 --all", 2)
    library = _library()
    try:
        ids = [d.doc_id for d in library.documents()] if all_docs else [library.resolve(doc or "")]
    except LibraryError as exc:
        _fail(str(exc))
    if not ids:
        _fail("还没有导入任何文档。用 `govqa ingest 文件夹` 导入。")
    per_file = bool(out) and all_docs and (out.is_dir() or str(out).endswith(("/", "\\")))
    rendered: list[tuple[str, Any]] = []
    for doc_id in ids:
        progress = sys.stderr.isatty()
        try:
            body = (library.summary(doc_id, backend, refresh, progress).to_dict() if fmt == "json"
                    else library.summary_markdown(doc_id, backend, refresh, progress))
        except LibraryError as exc:
            _fail(str(exc))
        rendered.append((library.document(doc_id).source, body))
    if per_file:
        out.mkdir(parents=True, exist_ok=True)
        for source, body in rendered:
            target = out / f"{Path(source).stem}.{fmt}"
            _write(target, json.dumps(body, ensure_ascii=False, indent=2) if fmt == "json" else body)
        typer.echo(f"已写入 {len(rendered)} 篇摘要到 {out}")
        return
    bodies = [b for _, b in rendered]
    if fmt == "json":
        text = json.dumps(bodies if all_docs else bodies[0], ensure_ascii=False, indent=2)
    else:
        text = "\n---\n\n".join(bodies)
    if out:
        _write(out, text)
        typer.echo(f"已写入 {out}")
    else:
        typer.echo(text)


@app.command()
def search(
    question: str = typer.Argument(..., help="问题"),
    k: int = typer.Option(0, "-k", help="返回块数（默认取设置 top_k）"),
    no_filter: bool = typer.Option(False, "--no-filter", help="不按问题中的地区/年份过滤"),
    mode: SearchMode = typer.Option(SearchMode.hybrid, help="检索方式：混合、仅关键词、仅向量"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """检索与问题最相关的文本块（含文档、元数据、分数与字符位置）。"""
    library = _library()
    try:
        hits, flt = library.search(question, k=k or None, use_filter=not no_filter, mode=mode)
    except LibraryError as exc:
        _fail(str(exc))
    if as_json:
        _print_json({"question": question, "filter": flt.describe(), "hits": [h.to_dict() for h in hits]})
        return
    terms = set(library.terms(question))
    typer.echo(f"过滤：{flt.describe()}；命中 {len(hits)} 块")
    for rank, h in enumerate(hits, 1):
        m = h.meta
        matched = sorted({t for t in terms if t in h.chunk.text}, key=len, reverse=True)[:8]
        typer.secho(
            f"\n#{rank} 分数 {h.score:.4f}  {h.source}  [{h.chunk.start}:{h.chunk.end}]  "
            f"{m.region or '—'} {m.year or '—'} {m.kind or '—'}  排名 {h.ranks}",
            bold=True,
        )
        typer.echo(f"匹配词：{'、'.join(matched) or '—'}")
        typer.echo(h.chunk.text)


@app.command()
def ask(
    question: str = typer.Argument(..., help="问题"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
    backend: Backend = typer.Option(Backend.auto, help="auto（数字抽取，其他事实问题用大模型）| extractive | llm"),
) -> None:
    """回答问题：给出数值（含单位）与引用原句及其页码；报告中没有时回答“报告中未找到”。
    增加/减少了多少、同比、占比、几倍：由两个引用的数值计算，列出算式与两处引用。"""
    try:
        out = _library().ask(question, backend=backend).to_dict()
    except LibraryError as exc:
        _fail(str(exc))
    if as_json:
        _print_json(out)
        return
    if out["fallback"]:
        typer.secho(f"（{out['fallback']}）", fg="yellow")
    for x in out.get("suspicious") or []:  # planted instructions in the reports used: never answered from
        quote = x["quote"] if len(x["quote"]) <= 80 else x["quote"][:80] + "…"
        typer.secho(f"  可疑文字（{x['kind']}，未采用）：{x['source']} 第 {x['line']} 行 [{x['start']}:{x['end']}] {quote}",
                    fg="yellow")
    if out["refused"]:
        typer.secho(out["answer"], fg="yellow", bold=True)
        if out["closest_note"]:
            typer.echo(f"  （{out['closest_note']}）")
        for c in out["closest"]:
            typer.echo(f"  最接近的段落：{c['source']} {c.get('where') or ''} [{c['start']}:{c['end']}] {c['quote'][:120]}")
        for v in out.get("maybe") or []:  # the closest candidate number: shown, never as the answer
            c = v["citation"]
            typer.echo(f"  可能相关（不是答案，未能确认它回答了本问题）：{v['text']}  —— {c['source']} {c.get('where') or ''} "
                       f"{c['quote'][:120]}")
        return
    _print_answer(out)


def _print_answer(out: dict[str, Any]) -> None:
    """The answer (with each value's report when several), a computed result's arithmetic, and each
    citation with its page (or paragraph / table row) and the value marked."""
    derived = out["derived"]
    if derived:
        typer.secho(f"答：{derived['text']}（{derived['summary']}）", bold=True)
        typer.echo(f"  算式：{derived['arithmetic']}")
    else:
        typer.secho(f"答：{out['labelled'] or out['answer']}", bold=True)
    for m in out.get("meaning") or []:  # the meaning check: what was asked, and what the number's own label says
        typer.echo(f"  {m}")
    for c in out["citations"]:
        quote = c["quote"]
        for v in out["values"]:
            if (v["citation"]["doc"], v["citation"]["start"]) == (c["doc"], c["start"]) and v["text"] in quote:
                quote = quote.replace(v["text"], typer.style(v["text"], fg="green", bold=True), 1)
        where = f" {c['where']}" if c.get("where") else ""
        typer.echo(f"  引用：{c.get('label') or c['title'] or c['source']}（{c['source']}{where} [{c['start']}:{c['end']}]）"
                   f"\n    {quote}")
    typer.echo(f"  （{out['backend']}，{out['latency_ms']:.0f} ms）")


# -- eval ------------------------------------------------------------------------------------------
def _load_gold(path: Path, required: tuple[str, ...] = ("id", "type", "question")) -> list[dict]:
    from eval.gold import GoldError, load_gold

    try:
        return load_gold(path, required)
    except (GoldError, OSError) as exc:
        _fail(str(exc))


@contextmanager
def _fresh(corpus: Path) -> Iterator[Library]:
    """A temporary library holding only ``corpus`` (the embedding cache stays shared)."""
    from eval.corpus import fresh_library

    if not corpus.exists():
        _fail(f"语料文件夹不存在：{corpus}")
    with fresh_library(corpus, progress=sys.stderr.isatty()) as (library, report):
        for o in report.failed:
            typer.secho(f"[失败] {o.path}: {o.reason}", fg="red", err=True)
        yield library


@eval_app.command("retrieval")
def eval_retrieval(
    corpus: Path = typer.Option(..., help="语料文件夹：导入到一个临时的新存储"),
    gold: Path = typer.Option(..., help="gold 文件（jsonl）或文件夹"),
    k: int = typer.Option(4, "--k", "-k"),
    out: Path | None = typer.Option(None, "--json", help="把完整结果写入此 JSON 文件"),
    no_filter: bool = typer.Option(False, "--no-filter"),
    mode: SearchMode = typer.Option(SearchMode.hybrid, help="检索方式：混合、仅关键词、仅向量"),
) -> None:
    """检索评测：recall@k（证据字符串落在前 k 个块中）。"""
    from eval.retrieval import run_retrieval_eval

    items = _load_gold(gold)
    with _fresh(corpus) as library:
        result = run_retrieval_eval(library, items, k, use_filter=not no_filter, mode=mode)
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
    backend: Backend = typer.Option(Backend.auto, help="auto | extractive | llm（只用大模型）"),
) -> None:
    """回答评测：数值精确率、错答率、拒答率、引用有效率与延迟。"""
    from eval.answers import run_answer_eval

    items = _load_gold(gold)
    with _fresh(corpus) as library:
        result = run_answer_eval(library, items, backend=backend)
    for r in result["items"]:
        if not r["exact"]:
            mark = f"错答（{r['wrong_class']}）" if r["wrong"] else "未答对"
            typer.echo(f"{mark} {r['id']}  回答={r['answer'][:60]}")
    keys = ("numeric_exact", "wrong_rate", "refused_rate", "unanswerable_correct", "fact_correct", "citation_valid",
            "latency_ms_p50", "latency_ms_p95")
    typer.echo("  ".join(f"{k}={result[k]}" for k in keys) + f"  (n={result['n']})")
    typer.echo("错答分类：" + "，".join(f"{k} {n}" for k, n in result["wrong_by_class"].items()))
    typer.echo("风险–覆盖曲线（可信度阈值：作答比例 · 错答率）：" + "，".join(
        f"{p['threshold']:.1f}: {p['coverage']:.2f} · {p['risk']:.3f}" for p in result["risk_coverage"]))
    if out:
        _print_json(result, out)
    failed = result["numeric_exact"] < min_exact or result["wrong_rate"] > max_wrong or (
        any(r["type"] == "unanswerable" for r in result["items"]) and result["unanswerable_correct"] < 1.0 and min_exact > 0)
    if failed:
        _fail("回答评测未达标")


@eval_app.command("summaries")
def eval_summaries(
    corpus: Path = typer.Option(..., help="语料文件夹：导入到一个临时的新存储"),
    gold: Path = typer.Option(..., help="gold 文件（jsonl）或文件夹"),
    out: Path | None = typer.Option(None, "--json", help="把完整结果写入此 JSON 文件"),
    backend: SummaryBackend = typer.Option(SummaryBackend.extractive, help="extractive | llm"),
    min_coverage: float = typer.Option(0.0, help="年度报告平均 gold_coverage 低于此值则失败（CI 用 0.9）"),
    max_misfiled: int = typer.Option(-1, help="放错栏目的要点（含表格行）多于此数则失败；-1 不检查"),
) -> None:
    """摘要评测：数字精确率（必须为 1.0）、引用有效率、gold 数值覆盖率、放错栏目的要点、长度与生成时间。
    gold 可以是问题文件，也可以是要点文件（每行 {"file", "facts": [...]}）。"""
    from eval.summaries import run_summary_eval

    items = _load_gold(gold, required=())
    with _fresh(corpus) as library:
        result = run_summary_eval(library, items, backend=backend)
    for r in result["items"]:
        cov = "—" if r["gold_coverage"] is None else f"{r['gold_coverage']:.2f}（{r['gold_covered']}/{r['gold_values']}）"
        typer.echo(f"{r['source']}  {r['template']}  数字精确率={r['number_precision']:.2f}  引用有效={r['citation_valid']:.2f}  "
                   f"覆盖率={cov}  字数={r['chars']}  核心数据={r['key_figures']}  {r['seconds']}s"
                   + (f"  未覆盖：{'、'.join(r['missed'])}" if r["missed"] else ""))
        for m in r["misfiled"]:
            typer.echo(f"    放错栏目：{m}")
    cov = result["gold_coverage"]
    typer.echo(f"number_precision={result['number_precision']} (min {result['number_precision_min']})  "
               f"citation_valid={result['citation_valid']} (min {result['citation_valid_min']})  "
               f"gold_coverage={cov}  chars_mean={result['chars_mean']} chars_max={result['chars_max']}  "
               f"misfiled={result['misfiled']}  seconds_mean={result['seconds_mean']}  (n={result['n']}, backend={backend})")
    if out:
        _print_json(result, out)
    if 0 <= max_misfiled < result["misfiled"]:
        _fail(f"放错栏目的要点 {result['misfiled']} 条，多于 {max_misfiled}")
    if result["number_precision_min"] < 1.0 or result["citation_valid_min"] < 1.0:
        _fail("摘要中有数字或引用未能在原文中核实")
    if cov is not None and cov < min_coverage:
        _fail(f"gold_coverage {cov} 低于 {min_coverage}")


@eval_app.command("metadata")
def eval_metadata(
    corpus: Path = typer.Option(..., help="语料文件夹（gold 中的 file 相对于它）"),
    gold: Path = typer.Option(..., help="元数据 gold 文件（jsonl：file, region, issuer, level, year, kind …）"),
    out: Path | None = typer.Option(None, "--json", help="把完整结果写入此 JSON 文件"),
    max_wrong: float = typer.Option(1.0, help="错误值占字段比例高于此值则失败（CI 用 0.01）"),
    min_field: list[str] = typer.Option([], "--min", help="字段=最低准确率，可重复，例如 --min region=0.95 --min issuer=0.9"),
    min_right: float = typer.Option(0.0, help="正确值占全部字段的最低比例（CI 对 data/real 用 0.99）"),
) -> None:
    """元数据评测：地区、发布单位、年份、级别、类型逐项统计 正确 / 空 / 错误，并列出每个错误值。"""
    from eval.metadata import run_metadata_eval
    from govqa.settings import get_settings

    if not corpus.is_dir():
        _fail(f"语料文件夹不存在：{corpus}")
    result = run_metadata_eval(corpus, _load_gold(gold, required=("file",)), get_settings())
    for w in result["wrong"]:
        typer.echo(f"错误 {w['file']}  {w['field']}：识别为 {w['got']!r}，应为 {w['gold']!r}  依据：{w['evidence'] or '—'}")
    for it in result["items"]:
        if "error" in it:
            typer.secho(f"[失败] {it['file']}: {it['error']}", fg="red", err=True)
    for f, c in result["fields"].items():
        acc = "—" if c["accuracy"] is None else f"{c['accuracy']:.2f}"
        typer.echo(f"{f:7s} 正确 {c['right']:3d}  空 {c['empty']:3d}  错误 {c['wrong']:3d}  (n={c['n']})  准确率 {acc}")
    typer.echo(f"错误值占字段 {result['wrong_share']:.2%}  (文件 {result['n_files']})")
    if out:
        _print_json(result, out)
    typer.echo(f"正确值占字段 {result['right_share']:.2%}")
    if result["wrong_share"] > max_wrong:
        _fail(f"错误值占比 {result['wrong_share']:.2%} 高于 {max_wrong:.2%}")
    if result["right_share"] < min_right:
        _fail(f"正确值占比 {result['right_share']:.2%} 低于 {min_right:.2%}")
    for spec in min_field:
        name, _, value = spec.partition("=")
        acc = result["fields"].get(name, {}).get("accuracy")
        try:
            floor = float(value)
        except ValueError:
            _fail(f"--min 应写作 字段=数值，例如 region=0.95，收到 {spec!r}")
        if acc is None or acc < floor:
            _fail(f"{name} 准确率 {acc} 低于 {floor}")


@app.command()
def serve(
    host: str | None = typer.Option(None, help="监听地址（默认取设置 app_host，即 127.0.0.1，仅本机可访问）"),
    port: int | None = typer.Option(None, help="端口（默认取设置 app_port，即 7860）"),
) -> None:
    """启动浏览器界面（问答、报告库、摘要），与 `python app.py` 相同。"""
    from app import main as run_app

    run_app(host=host, port=port)


@app.command()
def doctor() -> None:
    """检查本机能否运行大模型：各组件版本、llama.cpp 指令集（不得含 AMX）、模型文件校验，以及一次真实补全的用时。"""
    from govqa.model import doctor as run_checks

    checks = run_checks(get_settings())
    for c in checks:
        typer.secho(f"[{'通过' if c.ok else '失败'}] {c.name}：{c.detail}", fg="green" if c.ok else "red")
        if c.fix:
            typer.echo(f"    处理办法：{c.fix}")
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


def main() -> None:
    # Library modules log their fallbacks and repairs; the CLI shows warnings on stderr.
    logging.basicConfig(level=logging.WARNING, format="govqa: %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    app()


if __name__ == "__main__":
    main()
