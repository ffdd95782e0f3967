"""A temporary store holding only one corpus: what every eval and benchmark runs against.

The embedding cache stays the shared one, so a corpus is never embedded twice across runs.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from govqa.settings import Settings, get_settings
from ingest.pipeline import IngestReport, ingest
from vectorstore.store import Store


@contextmanager
def fresh_store(corpus: Path, base: Settings | None = None, progress: bool = False) -> Iterator[tuple[Store, IngestReport]]:
    base = base or get_settings()
    with tempfile.TemporaryDirectory(prefix="govqa-eval-") as tmp:
        settings = base.model_copy(update={"data_dir": Path(tmp), "cache_dir": base.cache_path.resolve()})
        store = Store(settings, progress=progress)
        report = ingest(store, [corpus], progress=progress)
        yield store, report
