"""What the browser gets besides Gradio's own page: the stylesheet, and one script that (1) puts
Gradio's own English texts into Chinese (the queue line, the reconnect toast) and (2) opens the citation
viewer when a citation's page link is clicked. Both are data here; nothing is fetched from outside."""

from __future__ import annotations

import json

# Gradio's own texts that its Chinese translation leaves in English: (pattern, replacement) on text nodes.
GRADIO_ZH = [
    (r"^queue: (\d+)/(\d*) \|$", "排队中：第 $1 位，共 $2 位 |"),
    (r"^processing \|$", "处理中 |"),
    (r"^Connection to the server was lost\. Attempting reconnection\.\.\.$", "与服务器的连接已断开，正在重新连接……"),
    (r"^Lost connection due to leaving page\. Rejoining queue\.\.\.$", "离开页面后连接已断开，正在重新排队……"),
    (r"^Waiting for file\(s\) to finish uploading, please retry\.$", "文件仍在上传，请稍后再试。"),
    (r"^Connection errored out\.$", "连接出错。"),
    (r"^Error$", "错误"),
    (r"^Loading\.\.\.$", "加载中……"),
]

CSS = """
.govqa-answer { font-size: 1.35em; margin: 0.2em 0 0.5em; }
.govqa-refusal { color: #b45309; }
.govqa-derived { margin: 0 0 0.6em; }
.govqa-draft { color: var(--body-text-color-subdued); }
.govqa-summary table.govqa-figures td:first-child { min-width: 9em; }
.govqa-cite, blockquote.govqa-cite { margin: 0.4em 0; }
mark { background: #ffe58a; color: inherit; padding: 0 2px; border-radius: 2px; }
.govqa-passage { font-size: 0.92em; line-height: 1.7; padding: 0.4em 0.6em; background: var(--background-fill-secondary);
                 border-radius: 6px; margin-top: 0.3em; }
.govqa-summary details.govqa-cite { display: inline-block; vertical-align: top; }
.govqa-summary details.govqa-cite[open] { display: block; }
.govqa-summary details.govqa-cite > summary { cursor: pointer; color: var(--link-text-color); list-style: none; }
.govqa-summary table.govqa-figures td { vertical-align: top; }
.govqa-summary .govqa-value { font-size: 1.1em; white-space: nowrap; }
a.govqa-page-link { cursor: pointer; color: var(--link-text-color); text-decoration: underline; white-space: nowrap; }
small.govqa-where { margin-left: 0.3em; }
table.govqa-row { border-collapse: collapse; font-size: 0.85em; margin: 0.2em 0; }
table.govqa-row caption { text-align: left; font-weight: bold; padding-bottom: 0.2em; }
table.govqa-row th, table.govqa-row td { border: 1px solid var(--border-color-primary); padding: 2px 6px; text-align: center; }
table.govqa-row th { font-weight: normal; color: var(--body-text-color-subdued); }
table.govqa-row td.govqa-hit { outline: 2px solid #dc2626; }
.govqa-blank { color: var(--body-text-color-subdued); }
.govqa-hidden { display: none !important; }
#govqa-viewer-image img { object-fit: contain; }
/* Gradio's toasts title themselves by level in English; show the Chinese word instead. */
.toast-title.error, .toast-title.warning, .toast-title.info, .toast-title.success { font-size: 0 !important; }
.toast-title::before { font-size: var(--text-md); }
.toast-title.error::before { content: "错误"; }
.toast-title.warning::before { content: "注意"; }
.toast-title.info::before { content: "提示"; }
.toast-title.success::before { content: "完成"; }
"""

_SCRIPT = """
(() => {
  const rules = %s.map(([p, r]) => [new RegExp(p), r]);
  const translate = (node) => {
    const text = node.nodeValue && node.nodeValue.trim();
    if (!text) return;
    for (const [p, r] of rules) {
      if (p.test(text)) { node.nodeValue = text.replace(p, r); return; }
    }
  };
  const walk = (root) => {
    if (root.nodeType === Node.TEXT_NODE) { translate(root); return; }
    const it = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = it.nextNode(); n; n = it.nextNode()) translate(n);
  };
  const start = () => {
    walk(document.body);
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === "characterData") translate(r.target);
        r.addedNodes.forEach(walk);
      }
    }).observe(document.body, {subtree: true, childList: true, characterData: true});
  };
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
  // Gradio's dropdowns filter on keydown, before the typed text is in the box, so text that arrives without
  // a key of its own (an IME's committed Chinese, a paste) never narrowed the list: filter again on input.
  const refilter = (event) => {
    const box = event.target;
    if (event.isComposing || !(box instanceof HTMLInputElement) || box.getAttribute("aria-autocomplete") !== "list") return;
    box.dispatchEvent(new KeyboardEvent("keydown", {key: "Unidentified", bubbles: true}));
  };
  document.addEventListener("input", refilter, true);
  document.addEventListener("compositionend", refilter, true);
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a.govqa-page-link");
    if (!link) return;
    event.preventDefault();
    const box = document.querySelector("#govqa-cite-key textarea, #govqa-cite-key input");
    if (!box) return;
    const key = (link.getAttribute("href") || "").split("#govqa-cite=")[1];
    if (!key) return;
    box.value = decodeURIComponent(key) + "|" + Date.now();
    box.dispatchEvent(new Event("input", {bubbles: true}));
  }, true);
})();
"""

HEAD = "<script>" + _SCRIPT % json.dumps(GRADIO_ZH, ensure_ascii=False) + "</script>"
