"""Metadata corrections, validated in one place for the CLI and the app alike, and the length limit on
every value a user types (metadata, question filters, report references): a 100,000-character region
was once stored, and every question whose filter touched that report re-tokenized it (the app stopped
answering). A refusal quotes at most ECHO_CHARS of what was typed."""

from __future__ import annotations

import re
from typing import Any

from govqa.types import KIND_ZH, LEVEL_ZH, META_FIELDS, Kind, Level, ReportMeta

FIELD_ZH = {"region": "地区", "level": "级别", "issuer": "发布单位", "year": "年份", "kind": "类型", "title": "标题",
            "published": "发布日期"}


ECHO_CHARS = 30


class MetaError(ValueError):
    """A correction that cannot be stored; the message (Chinese) says what is expected."""


def echo(value: str) -> str:
    """What a refusal quotes of the user's input: the start, and how long it was."""
    return value if len(value) <= ECHO_CHARS else f"{value[:ECHO_CHARS]}…（共 {len(value)} 字）"


def check_length(label: str, value: str, limit: int) -> None:
    """The one length rule for what users type (settings.max_field_chars, max_question_chars)."""
    if len(value) > limit:
        raise MetaError(f"{label}过长（{len(value)} 字，上限 {limit} 字）")


def parse_meta_value(field: str, value: str | None, max_chars: int) -> Any:
    """A user's correction (English key or Chinese word) -> the stored value; empty clears the field."""
    if field not in META_FIELDS:
        raise MetaError(f"无法修改字段 {echo(str(field))!r}；可改：{'、'.join(f'{k}（{v}）' for k, v in FIELD_ZH.items())}")
    value = (value or "").strip()
    check_length(FIELD_ZH[field], value, max_chars)
    if not value:
        return None
    if field == "year":
        if not value.isdigit() or not 1900 < int(value) < 2200:
            raise MetaError(f"年份应为四位数字，例如 2017，收到“{echo(value)}”")
        return int(value)
    if field == "kind":
        return _choice(value, Kind, KIND_ZH, "类型")
    if field == "level":
        return _choice(value, Level, LEVEL_ZH, "级别")
    if field == "published" and not re.fullmatch(r"(19|20|21)\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])", value):
        raise MetaError(f"发布日期应为 YYYY-MM-DD，例如 2018-03-26，收到“{echo(value)}”")
    return value


def _choice(value: str, enum: type, zh: dict, name: str) -> str:
    by_zh = {v: k for k, v in zh.items()}
    if value in enum.__members__:
        return str(enum(value))
    if value in by_zh:
        return str(by_zh[value])
    options = "、".join(f"{v}（{k}）" for k, v in zh.items())
    raise MetaError(f"{name}应为：{options}，收到“{echo(value)}”")


def parse_updates(pairs: dict[str, str | None], max_chars: int) -> dict[str, Any]:
    return {k: parse_meta_value(k, v, max_chars) for k, v in pairs.items()}


def meta_display(field: str, value: Any) -> str:
    if value is None:
        return ""
    if field == "kind":
        return KIND_ZH.get(value, str(value))
    if field == "level":
        return LEVEL_ZH.get(value, str(value))
    return str(value)


def region_text(meta: ReportMeta) -> str:
    """The canonical region with the other names of the area it is known by: 洪泽区（又名 洪泽县、洪泽、淮安市洪泽区）."""
    from govqa.names import region_aliases

    if not meta.region:
        return ""
    others = [a for a in [*region_aliases(meta.region), *sorted(meta.aliases, key=len)]
              if a != meta.region and a in meta.aliases and (a in region_aliases(meta.region) or a.endswith(meta.region))]
    others = list(dict.fromkeys(others))
    return meta.region + (f"（又名 {'、'.join(others)}）" if others else "")
