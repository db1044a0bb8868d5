"""Keep planning data on this machine: no telemetry, no model downloads.

Called from both packages' ``__init__`` so that anyone importing jfp-assistant (CLI, UI, tests or
their own scripts) gets the same guarantees, not only those who start it through the Makefile.
"""

from __future__ import annotations

import os

_OFFLINE_DEFAULTS = {
    # Hugging Face libraries: never reach the hub, never send telemetry.
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "DO_NOT_TRACK": "1",
    # Chroma: no anonymised product telemetry.
    "ANONYMIZED_TELEMETRY": "False",
    "CHROMA_TELEMETRY": "False",
    # Gradio: no analytics, no version check.
    "GRADIO_ANALYTICS_ENABLED": "False",
    "GRADIO_TELEMETRY_ENABLED": "False",
    # LangChain: no tracing to LangSmith.
    "LANGCHAIN_TRACING_V2": "false",
    "LANGSMITH_TRACING": "false",
    "TOKENIZERS_PARALLELISM": "false",
    "TRANSFORMERS_VERBOSITY": "error",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
}


def apply() -> None:
    """Set the offline/no-telemetry environment unless the user set a variable explicitly."""
    for key, value in _OFFLINE_DEFAULTS.items():
        os.environ.setdefault(key, value)
    # Analytics must stay off even if a user's shell enabled them: planning data must not leave.
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["ANONYMIZED_TELEMETRY"] = "False"
