"""Calibrated confidence: how sure an answer's numbers are, from named features, and the threshold under
which an answer is withheld.

Both checks of the verifier (the number stands in its sentence, and its own label says what was asked)
can pass while the number still answers something else: a neighbouring figure of the same sentence, or
another report's. The features below measure how much room there is for that. Each is 0–1:

- ``support``   share of the question's key phrase standing next to the number (bot/extract.py ``_support``)
- ``margin``    how far the chosen number's support stands above the best candidate that would answer
                differently (a near tie means the question does not single the number out)
- ``rank``      the retrieval rank of the passage it stands in (deeper passages fit the question less)
- ``identity``  how sure the cited report's region and year are (ingest/identity.py's evidence)
- ``source``    a national-template cell (bot/cells.py: a closed vocabulary) or a prose sentence

The weights and the threshold are named parameters here and nowhere else. The threshold was chosen by
measurement on the development sets (demo, data/real, held-out h1–h3) with ``python -m bench.calibrate``
(numbers in docs/benchmarks.md): every threshold from 0.2 up withholds right answers there (h2 exact
0.88 -> 0.80, h3 0.84 -> 0.68) and no wrong one, so it stays at 0 until the features separate right from
wrong. The score is still reported with each answer (``confidence``, ``confidence_basis``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Calibration:
    """The parameters of ``confidence``; every one is described where ``confidence`` uses it."""

    cell: float = 0.95  # a template cell found by (table, row, column): the vocabulary is closed
    llm: float = 0.7  # a number the model gave and the verifier found with its label (bot/answer.py _proposed)
    support_floor: float = 0.5  # bot/extract.py MIN_SUPPORT: support at or under it adds nothing
    w_support: float = 0.45  # weight of support above the floor
    w_margin: float = 0.35  # weight of the margin over the next different value
    margin_full: float = 0.3  # a margin this wide or wider counts in full
    w_top: float = 0.2  # weight of the passage being the first retrieved (shrinks by ``rank_step`` per rank)
    rank_step: float = 0.05
    identity_floor: float = 0.6  # an identity at least this sure does not lower the confidence
    threshold: float = 0.0  # under it the answer is withheld and shown as 可能相关 (0: measured, see above)


CALIBRATION = Calibration()


@dataclass(frozen=True)
class Basis:
    """What an answer's confidence was computed from (shown in ``--json`` as ``confidence_basis``)."""

    source: str  # "cell", "prose" or "llm"
    support: float = 1.0
    margin: float = 1.0
    rank: int = 0
    identity: float = 1.0

    def to_dict(self) -> dict[str, float | str | int]:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


def confidence(b: Basis, cal: Calibration | None = None) -> float:
    """0–1. A cell or a model's verified number starts from its source's constant; a prose number is the
    weighted sum of its support above the floor, its margin and how high its passage ranked. Either is
    scaled down when the report's identity is less sure than ``identity_floor``."""
    cal = cal or CALIBRATION
    if b.source == "cell":
        base = cal.cell
    elif b.source == "llm":
        base = cal.llm
    else:
        above = max(0.0, b.support - cal.support_floor) / (1.0 - cal.support_floor)
        base = (cal.w_support * min(1.0, above) + cal.w_margin * min(1.0, max(0.0, b.margin) / cal.margin_full)
                + cal.w_top * max(0.0, 1.0 - cal.rank_step * b.rank))
    return round(base * min(1.0, b.identity / cal.identity_floor), 3)


def sure_enough(value: float, cal: Calibration | None = None) -> bool:
    """Whether an answer of this confidence is shown (else it is withheld and shown as 可能相关)."""
    return value >= (cal or CALIBRATION).threshold


def withheld_reason(value: float) -> str:
    """The refusal's reason for an answer under the threshold: its number stands in the source, but
    nothing says it is the one asked for."""
    return (f"把握不足：数字虽在原文中，但不能确定它回答了这个问题（可信度 {value:.2f}，"
            f"低于 {CALIBRATION.threshold:.2f}）")
