"""核查: the consistency audit of one report or all, grouped by report (named by issuer and year), filtered
by status (不符 / 无法核对 / 相符), the arithmetic in its own column; a click shows the cells read, each row
as a table with its page. Text reuse from the previous year's report. Endpoints: /audit, /reuse."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import gradio as gr

from govqa import webapp_core as core
from govqa.library import Library, LibraryError
from govqa.locations import places_text
from govqa.web.shell import ALL_DOCS, Shell, notice

AUDIT_ZH = {"FAIL": "不符", "UNCERTAIN": "无法核对", "PASS": "相符"}
ORDER = {"FAIL": 0, "UNCERTAIN": 1, "PASS": 2}
HEADERS = ["报告", "结果", "核查项", "算式", "说明", "位置"]
WIDTHS = ["17%", "7%", "14%", "26%", "27%", "9%"]
SHOWN_FIRST = ["不符", "无法核对"]  # 相符 is one tick away


def audit_view(library: Library, doc_id: str = "") -> list[dict[str, Any]]:
    """Findings of one report (or all, with the year-to-year carry-over), by report, not-adding-up first."""
    found = [f.to_dict() for f in library.audit(doc_id or None)]
    return sorted(found, key=lambda f: (f["report"] or f["source"], ORDER[f["status"]]))


def audit_rows(findings: list[dict[str, Any]]) -> list[list[str]]:
    return [[f["report"] or f["source"], AUDIT_ZH[f["status"]], f["check"], f["arithmetic"], f["message"],
             places_text([c.get("where", "") for c in f["cited"]])] for f in findings]


def audit_note(findings: list[dict[str, Any]], shown: list[dict[str, Any]]) -> str:
    """Counts in all, then per report."""
    if not findings:
        return "没有可核查的统计表或数字。"

    def counts(fs: list[dict[str, Any]]) -> str:
        return "，".join(f"{z} {n}" for s, z in AUDIT_ZH.items() if (n := sum(f["status"] == s for f in fs)))

    lines = [f"共 {len(findings)} 项核查：{counts(findings)}；显示 {len(shown)} 项。点击一行查看所引单元格与算式。"]
    for report in dict.fromkeys(f["report"] or f["source"] for f in findings):
        lines.append(f"- {core.md_text(report)}：{counts([f for f in findings if (f['report'] or f['source']) == report])}")
    return "\n".join(lines)


def render_finding(f: dict[str, Any]) -> str:
    """A clicked finding: what the report says, the arithmetic, and each row it read (as a table, with its page)."""
    out = [f"<p><b>{core.esc(AUDIT_ZH[f['status']])}</b>　{core.esc(f['report'])}　{core.esc(f['check'])}："
           f"{core.esc(f['message'])}</p>"]
    if f["arithmetic"]:
        out.append(f"<p>算式：<b>{core.esc(f['arithmetic'])}</b></p>")
    quotes: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for c in f["cited"]:
        quotes.setdefault((c["start"], c["end"]), []).append(c)
    for (start, _), cells in quotes.items():
        c = cells[0]
        body = core.row_table(c["quote"], start) if core.is_row_line(c["quote"]) else \
            core.mark(c["quote"], [x["raw"] for x in cells if x["raw"]])
        labels = "；".join(f"{x['label']} = {x['raw'] or '空白'}" for x in cells)
        cite = {"doc": f["doc"], "start": start, "end": c["end"], "where": c.get("where")}
        out.append(f"<blockquote class=\"govqa-cite\">{body}<br><small>{core.esc(labels)} · "
                   f"{core.page_link(cite) if f['doc'] else ''}</small></blockquote>")
    return "".join(out)


def reuse_view(library: Library, doc_id: str, against: str = "") -> dict[str, Any]:
    if not doc_id:
        raise LibraryError("请选择一份报告")
    return library.reuse(doc_id, against or None).to_dict()


def render_reuse(r: dict[str, Any]) -> str:
    """The share of repeated sentences and rows, and each repeated passage beside last year's."""
    out = [f"<p><b>{core.esc(r['label'])}</b> 与 <b>{core.esc(r['previous_label'])}</b> 相比：</p><ul>",
           f"<li>句子：{r['sentences']} 句中 {r['sentences_verbatim']} 句逐字重复、{r['sentences_near']} 句几乎相同"
           f"（{r['sentence_share']:.0%}）</li>",
           f"<li>表格行：{r['rows']} 行中 {r['rows_repeated']} 行（含数字）完全相同（{r['row_share']:.0%}），"
           f"其中 {r['rows_zero']} 行全为 0 或空白</li></ul>"]
    for x in r["repeats"]:
        how = "逐字重复" if x["similarity"] == 1.0 else f"几乎相同（相似度 {x['similarity']:.2f}）"
        prev = "" if x["similarity"] == 1.0 else f"<br><small>上一年：{core.esc(x['prev_quote'])}</small>"
        cite = {"doc": r["doc"], "start": x["start"], "end": x["end"], "where": ""}
        out.append(f"<blockquote class=\"govqa-cite govqa-reuse\">{core.esc(x['quote'])}{prev}<br>"
                   f"<small>{how} · {core.page_link(cite)}</small></blockquote>")
    return "".join(out)


def build(shell: Shell) -> None:
    with gr.Tab("核查", id="audit"):
        with gr.Row():
            doc = shell.picker(gr.Dropdown(ALL_DOCS, value="", label="报告", allow_custom_value=True, scale=4,
                                           elem_id="govqa-audit-doc"), "doc_all")
            status = gr.CheckboxGroup(list(AUDIT_ZH.values()), value=SHOWN_FIRST, label="显示结果", scale=2,
                                      elem_id="govqa-audit-status")
            audit_btn = gr.Button("核查勾稽关系", variant="primary", scale=1, elem_id="govqa-audit-btn")
            reuse_btn = gr.Button("与上一年度文字重复", scale=1, elem_id="govqa-reuse-btn")
        note = gr.Markdown(elem_id="govqa-audit-note")
        table = gr.Dataframe(headers=HEADERS, interactive=False, wrap=True, column_widths=WIDTHS, elem_id="govqa-audit")
        finding = gr.HTML(elem_id="govqa-finding")
        found, shown = gr.State([]), gr.State([])
        reuse_out = gr.HTML(elem_id="govqa-reuse")
    _wire(shell, SimpleNamespace(doc=doc, status=status, audit_btn=audit_btn, reuse_btn=reuse_btn, note=note, table=table,
                                 finding=finding, found=found, shown=shown, reuse_out=reuse_out))


def _wire(shell: Shell, ui: SimpleNamespace) -> None:
    """The tab's events and its endpoints."""

    def audit_json(doc_id: str = "") -> list[dict]:
        """Consistency findings (PASS/FAIL/UNCERTAIN) of one report, or of all with doc_id empty, each with its
        report (issuer and year) and its cited cells with their pages."""
        return shell.run(audit_view, doc_id or "")

    def run(doc_id: str, statuses: list[str]):
        findings = audit_json(doc_id)
        return (*filtered(findings, statuses), findings, "")

    def filtered(findings: list[dict], statuses: list[str]):
        keep = [f for f in findings if AUDIT_ZH[f["status"]] in (statuses or [])]
        return audit_rows(keep), audit_note(findings, keep), keep

    def reuse_json(doc_id: str, against: str = "") -> dict:
        """Sentences and table rows repeated from the same issuer's previous report (or from `against`)."""
        return shell.run(reuse_view, doc_id, against)

    def reuse_html(doc_id: str) -> str:
        if not doc_id:
            raise notice("请选择一份报告（不是“全部报告”）")
        return render_reuse(reuse_json(doc_id))

    def pick(rows: list[dict], evt: gr.SelectData) -> str:
        return render_finding(rows[evt.index[0]]) if rows and evt.index is not None else ""

    ui.audit_btn.click(run, [ui.doc, ui.status], [ui.table, ui.note, ui.shown, ui.found, ui.finding],
                       api_visibility="private")
    ui.status.change(filtered, [ui.found, ui.status], [ui.table, ui.note, ui.shown], api_visibility="private")
    ui.table.select(pick, [ui.shown], [ui.finding], api_visibility="private")
    ui.reuse_btn.click(reuse_html, [ui.doc], [ui.reuse_out], api_visibility="private")
    shell.endpoint(audit_json, "audit")
    shell.endpoint(reuse_json, "reuse")
