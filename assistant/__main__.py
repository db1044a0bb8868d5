"""``python -m assistant`` is the same as the ``jfp`` command."""

from assistant.cli import run

run()
