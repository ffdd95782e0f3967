"""A comparison as a PNG (matplotlib, Agg): bars per report, a missing point drawn as an empty slot
marked 缺失, never as 0."""

from __future__ import annotations

from pathlib import Path

from bot.compare import Point

_FONTS = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "SimHei", "DejaVu Sans"]


def comparison_png(points: list[Point], title: str, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.sans-serif"] = _FONTS
    plt.rcParams["axes.unicode_minus"] = False
    labels = [f"{p.year or '?'}\n{p.label[:12]}" for p in points]
    fig, ax = plt.subplots(figsize=(max(4, 1.6 * len(points)), 3.6), dpi=110)
    for i, p in enumerate(points):
        if p.value is None:
            ax.text(i, 0, "缺失", ha="center", va="bottom", color="#b45309")
        else:
            ax.bar(i, p.value, color="#3b82f6")
            ax.text(i, p.value, f"{p.raw}{p.unit}", ha="center", va="bottom")
    ax.set_xticks(range(len(points)), labels, fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
