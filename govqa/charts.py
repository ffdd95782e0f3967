"""A comparison as a chart (matplotlib, Agg): one line per issuer across the years, each point marked
with its value as printed; the legend gives each issuer's full name. A report without the cell is
listed under the chart as 缺失, never drawn as 0. The CLI writes it as PNG; the app shows the figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.compare import Point

_FONTS = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "SimHei", "DejaVu Sans"]
# System CJK font files (Debian's fonts-wqy-microhei, fonts-noto-cjk): registered with matplotlib by path,
# since its font cache may predate their installation.
_FONT_FILES = ["/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
               "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"]
LEGEND_WRAP = 22  # characters per legend line: full names, wrapped rather than cut
MISSING_LISTED = 6  # missing reports named under the chart (the rest counted)


def _series(points: list[Point]) -> dict[str, list[Point]]:
    """Points with a value, one series per issuer (its full name; a report of unknown issuer alone)."""
    out: dict[str, list[Point]] = {}
    for p in points:
        if p.value is not None:
            out.setdefault(p.issuer or p.doc, []).append(p)
    named = {}
    for pts in out.values():
        pts.sort(key=lambda p: p.year or 0)
        named[pts[-1].issuer_name or pts[-1].label] = pts  # the name as its latest report prints it
    return named


def _wrap(text: str, width: int) -> str:
    """Chinese text cut every ``width`` characters (textwrap breaks only at spaces)."""
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


def comparison_figure(points: list[Point], title: str) -> Any:
    """The figure: x the years, y the values, a line per issuer; missing reports named below."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    use_cjk_fonts()
    series = _series(points)
    years = sorted({p.year for s in series.values() for p in s if p.year})
    fig = Figure(figsize=(9, 4.2), dpi=100)
    ax = fig.subplots()
    for name, pts in series.items():
        xs = [years.index(p.year) if p.year else -1 for p in pts]
        ax.plot(xs, [p.value for p in pts], marker="o", label=_wrap(name, LEGEND_WRAP))
        for x, p in zip(xs, pts):
            ax.annotate(f"{p.raw}{p.unit}", (x, p.value), textcoords="offset points", xytext=(0, 6), ha="center",
                        fontsize=8)
    ax.set_xticks(range(len(years)), [f"{y}年" for y in years])
    ax.set_xlim(-0.5, max(0.5, len(years) - 0.5))
    ax.set_ylim(bottom=0)
    ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    if series:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    missing = [p for p in points if p.value is None]
    if missing:
        names = "、".join(f"{p.label}" for p in missing[:MISSING_LISTED])
        more = f" 等 {len(missing)} 份" if len(missing) > MISSING_LISTED else ""
        fig.text(0.01, 0.01, _wrap(f"缺失（不当作0）：{names}{more}", 100), fontsize=7, color="#b45309")
    fig.tight_layout(rect=(0, 0.08 if missing else 0, 1, 1))
    return fig


def comparison_png(points: list[Point], title: str, path: Path) -> Path:
    fig = comparison_figure(points, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path


def use_cjk_fonts() -> None:
    """Chinese labels: the system's CJK fonts registered with matplotlib and put first."""
    import matplotlib
    from matplotlib import font_manager

    for f in _FONT_FILES:
        if Path(f).is_file():
            try:
                font_manager.fontManager.addfont(f)
            except (OSError, RuntimeError, ValueError):
                continue
    matplotlib.rcParams["font.sans-serif"] = _FONTS
    matplotlib.rcParams["axes.unicode_minus"] = False
