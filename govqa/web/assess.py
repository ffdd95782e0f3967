"""评估: a ranking of the library's annual reports (filter by region, level and year, sort by any column,
export to XLSX) and the scorecard of one report, every check with its article and cited evidence.

The work is the service layer's (Library.assess / Library.assessments, govqa/assess_xlsx.py); this module lays
out the tab and renders HTML. Its pickers offer the annual reports only, and a region also by the larger areas
it lies in (淮安市 takes 洪泽区), so they are filled when the tab is opened, not by the shell's pickers.
Endpoints: /assess (one report's scorecard as JSON), /assess_ranking (the filtered ranking).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr

from govqa import webapp_core as core
from govqa.library import ASSESS_CHECKS as CHECKS
from govqa.library import ASSESS_GROUPS as GROUPS
from govqa.library import ASSESS_STATUS_ZH as STATUS_ZH
from govqa.library import Library, LibraryError
from govqa.types import LEVEL_ZH, Kind
from govqa.web.shell import ALL, Shell

RANK_HEADERS = ["排名", "得分", "得分区间", *GROUPS, "不确定项", "年份", "地区", "级别", "适用规则", "报告", "文件"]
EXPORT_DIR = Path(tempfile.gettempdir()) / "govqa-exports"  # Gradio serves files from the temp dir
EXPORT_KEEP_S = 3600  # an export older than this is deleted at the next export
_COLOUR = {"PASS": "#15803d", "FAIL": "#b91c1c", "UNCERTAIN": "#b45309", "NA": "#6b7280"}

CSS = """
#govqa-assess-card .govqa-check { border-left: 4px solid #d1d5db; padding: 0.3em 0.8em; margin: 0.6em 0; }
#govqa-assess-card .govqa-badge { color: #fff; border-radius: 4px; padding: 0 6px; margin-right: 6px; font-size: 0.9em; }
#govqa-assess-card blockquote { margin: 0.2em 0 0.4em 1em; font-size: 0.92em; }
#govqa-assess-card .govqa-rule { color: var(--body-text-color-subdued); font-size: 0.9em; }
"""


def ranking_view(library: Library, region: str = "", level: str = "", year: str = "") -> list[dict[str, Any]]:
    """The filtered ranking, best first, each report's scorecard as JSON (the /assess_ranking endpoint)."""
    return [a.to_dict() for a in library.assessments(region or "", level or "", year or "")]


def assess_view(library: Library, doc_id: str) -> dict[str, Any]:
    if not doc_id:
        raise LibraryError("请选择一份年度报告")
    return library.assess(doc_id).to_dict()


def rank_rows(ranking: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for i, a in enumerate(ranking, 1):
        span = "—" if a["score"] is None else f"{a['score_low']:g}–{a['score_high']:g}"
        rows.append([i, a["score"] if a["score"] is not None else "", span,
                     *[STATUS_ZH[a["groups"][g]] for g in GROUPS], a["counts"]["UNCERTAIN"], a["year"] or "",
                     a["region"], LEVEL_ZH.get(a["level"], a["level"]), a["rules_name"] or a["rules_why"], a["label"],
                     a["source"]])
    return rows


_esc = core.esc


def _badge(status: str) -> str:
    return f'<span class="govqa-badge" style="background:{_COLOUR[status]}">{STATUS_ZH[status]}</span>'


def render_scorecard(a: dict[str, Any]) -> str:
    """One report's checks: status, what was found, the article (expandable) and every cited span."""
    if a["score"] is None:
        return f"<h3>{_esc(a['label'])}</h3><p>不评估：{_esc(a['rules_why'])}</p>"
    counts = a["counts"]
    out = [f"<h3>{_esc(a['label'])}（{_esc(a['source'])}）</h3>",
           f"<p>适用规则：<b>{_esc(a['rules_name'])}</b>（{_esc(a['rules_why'])}）</p>",
           f"<p class='govqa-score'>得分 <b>{a['score']:g}</b> / 100"
           f"（不确定项按 0 至 1 计：{a['score_low']:g}–{a['score_high']:g}）"
           f"　通过 {counts['PASS']} · 不通过 {counts['FAIL']} · 不确定 {counts['UNCERTAIN']} · 不适用 {counts['NA']}</p>",
           "<p>" + "　".join(f"{g} {_badge(a['groups'][g])}" for g in GROUPS) + "</p>"]
    for c in a["checks"]:
        out.append(f"<div class='govqa-check' style='border-color:{_COLOUR[c['status']]}' data-check='{c['key']}'>"
                   f"<p>{_badge(c['status'])}<b>{_esc(c['group'])}｜{_esc(c['name'])}</b>（权重 {c['weight']:g}）："
                   f"{_esc(c['message'])}</p>"
                   f"<details class='govqa-rule'><summary>依据：{_esc(c['rule'])}</summary>"
                   f"<p>{_esc(c['article'])}</p></details><ul>")
        for e in c["evidence"]:
            quotes = "".join(f"<blockquote>{'〔' + _esc(x['source']) + '〕' if x['doc'] else ''}"
                             f"[{x['start']}:{x['end']}] {_esc(x['quote'][:240])}</blockquote>" for x in e["cites"][:3])
            more = f"<small>……另有 {len(e['cites']) - 3} 处引文</small>" if len(e["cites"]) > 3 else ""
            out.append(f"<li>{_esc(e['note'])}{quotes}{more}</li>")
        out.append("</ul></div>")
    return "\n".join(out)


def _export(library: Library, region: str, level: str, year: str) -> str:
    from govqa.assess_xlsx import write_assessments

    EXPORT_DIR.mkdir(parents=True, exist_ok=True)
    for old in EXPORT_DIR.glob("*.xlsx"):
        if time.time() - old.stat().st_mtime > EXPORT_KEEP_S:
            old.unlink(missing_ok=True)
    path = EXPORT_DIR / f"评估排名-{time.strftime('%Y%m%d-%H%M%S')}.xlsx"
    return str(write_assessments(path, library.assessments(region or "", level or "", year or "")))


def build(shell: Shell) -> None:
    with gr.Tab("评估", id="assess") as tab:
        gr.HTML(f"<style>{CSS}</style>", padding=False)
        gr.Markdown("按报告应公布时施行的《条例》与年度报告格式逐项检查：**及时**（按时公布）、**完整**（必备内容、统计表、空白单元格）、"
                    "**一致**（勾稽关系）、**坦诚**（问题具体、非照搬、上年度问题整改）。权重："
                    + "、".join(f"{c.name} {c.weight:g}" for c in CHECKS) + "（bot/assess_rules.py）。")
        with gr.Row():
            region = gr.Dropdown(ALL, value="", label="地区（含下辖）", allow_custom_value=True, scale=2,
                                 elem_id="govqa-assess-region")
            level = gr.Dropdown(ALL + [(zh, key) for key, zh in LEVEL_ZH.items()], value="", label="级别", scale=1,
                                elem_id="govqa-assess-level")
            year = gr.Dropdown(ALL, value="", label="年份", allow_custom_value=True, scale=1, elem_id="govqa-assess-year")
            rank_btn = gr.Button("评估并排名", variant="primary", scale=1, elem_id="govqa-assess-btn")
            xlsx_btn = gr.Button("导出 XLSX", scale=1, elem_id="govqa-assess-xlsx")
        note = gr.Markdown(elem_id="govqa-assess-note")
        table = gr.Dataframe(headers=RANK_HEADERS, interactive=False, wrap=True, elem_id="govqa-assess-rank")
        xlsx_file = gr.File(label="排名与检查明细（XLSX）", interactive=False, height=90, elem_id="govqa-assess-file")
        with gr.Row():
            doc = gr.Dropdown([], label="报告", allow_custom_value=True, scale=4, elem_id="govqa-assess-doc")
            card_btn = gr.Button("查看评分卡", scale=1, elem_id="govqa-assess-card-btn")
        scorecard = gr.HTML("<p>点击排名中的一行，或选择一份报告，查看评分卡。</p>", elem_id="govqa-assess-card")
        ids = gr.State([])
    _wire(shell, SimpleNamespace(tab=tab, region=region, level=level, year=year, rank_btn=rank_btn, xlsx_btn=xlsx_btn,
                                 note=note, table=table, xlsx_file=xlsx_file, doc=doc, card_btn=card_btn,
                                 scorecard=scorecard, ids=ids))


def _wire(shell: Shell, ui: SimpleNamespace) -> None:
    """The tab's events and its endpoints."""

    def assess_json(doc_id: str) -> dict:
        """One annual report's scorecard: every check (PASS/FAIL/UNCERTAIN/NA) with its article and cited spans."""
        return shell.run(assess_view, doc_id)

    def ranking_json(region: str = "", level: str = "", year: str = "") -> list[dict]:
        """Every annual report (filtered by region, level, year) assessed and ranked by score, best first."""
        return shell.run(ranking_view, region, level, year)

    def choices(region: str, year: str, doc: str):
        docs = [d for d in shell.run(lambda lib: lib.documents()) if d.meta.kind == Kind.annual_report]
        regions = sorted({r for d in docs for r in [d.meta.region, *d.meta.parents] if r})
        years = sorted({str(d.meta.year) for d in docs if d.meta.year}, reverse=True)
        ids = [d.doc_id for d in docs]
        return (gr.update(choices=ALL + [(r, r) for r in regions], value=region if region in regions else ""),
                gr.update(choices=ALL + [(f"{y}年", y) for y in years], value=year if year in years else ""),
                gr.update(choices=core.doc_choices(docs), value=doc if doc in ids else None))

    def show_ranking(region: str, level: str, year: str):
        ranking = ranking_json(region, level, year)
        scored = [a for a in ranking if a["score"] is not None]
        mean = f"，平均得分 {sum(a['score'] for a in scored) / len(scored):.1f}" if scored else ""
        note = (f"共 {len(ranking)} 份年度报告{mean}。点击一行查看评分卡；点击表头可按该列排序。" if ranking
                else "没有符合条件的年度报告。")
        return rank_rows(ranking), note, [a["doc"] for a in ranking]

    def card(doc_id: str) -> str:
        if not doc_id:
            return "<p>请选择一份年度报告。</p>"
        return render_scorecard(assess_json(doc_id))

    def card_for_row(ids: list[str], evt: gr.SelectData):
        if not ids or evt.index is None:
            return gr.update(), gr.update()
        doc_id = ids[evt.index[0]]
        return card(doc_id), gr.update(value=doc_id)

    def export(region: str, level: str, year: str) -> str:
        return shell.run(_export, region, level, year)

    ui.tab.select(choices, [ui.region, ui.year, ui.doc], [ui.region, ui.year, ui.doc], api_visibility="private")
    ui.rank_btn.click(show_ranking, [ui.region, ui.level, ui.year], [ui.table, ui.note, ui.ids], api_visibility="private")
    ui.table.select(card_for_row, [ui.ids], [ui.scorecard, ui.doc], api_visibility="private")
    ui.card_btn.click(card, [ui.doc], [ui.scorecard], api_visibility="private")
    ui.xlsx_btn.click(export, [ui.region, ui.level, ui.year], [ui.xlsx_file], api_visibility="private")
    shell.endpoint(assess_json, "assess")
    shell.endpoint(ranking_json, "assess_ranking")
