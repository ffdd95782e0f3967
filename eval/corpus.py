"""A temporary library holding only one corpus: what every eval and benchmark runs against.

The embedding cache stays the shared one, so a corpus is never embedded twice across runs.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from govqa.library import Library
from govqa.settings import Settings, get_settings
from ingest.pipeline import IngestReport


@contextmanager
def fresh_library(corpus: Path, base: Settings | None = None,
                  progress: bool = False) -> Iterator[tuple[Library, IngestReport]]:
    base = base or get_settings()
    with tempfile.TemporaryDirectory(prefix="govqa-eval-") as tmp:
        settings = base.model_copy(update={"data_dir": Path(tmp), "cache_dir": base.cache_path.resolve()})
        library = Library(settings, progress=progress)
        report = library.add([corpus], progress=progress)
        yield library, report
