"""Which format an export is written in: one rule for every command that writes a report or a draft.

``--format`` and the ``-o`` file's suffix must agree; either alone is enough; with neither, the default.
A file jfp cannot write (``.pdf``, ``.xlsx``...) is refused rather than filled with another format, and
so is a Word document with nowhere to go but the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assistant.errors import InputError

ALIASES = {"markdown": "md", "word": "docx"}
# how each format is named to a planner, and the suffix its files end in
NAMES = {"md": "Markdown (.md)", "csv": "a spreadsheet (.csv)", "docx": "Word (.docx)"}
NEEDS_FILE = {"docx": "A Word document"}  # binary formats: they cannot be printed to the terminal


def normalise(name: str) -> str:
    """'Markdown', '.MD' and 'md' are all 'md'; 'word' is 'docx'."""
    name = name.strip().lower().lstrip(".")
    return ALIASES.get(name, name)


def _from_suffix(suffix: str) -> str:
    """'.MD' and '.markdown' are 'md'; otherwise the suffix itself (a file called 'r.word' is not Word)."""
    name = suffix.lower().lstrip(".")
    return "md" if name == "markdown" else name


def _either(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def choose_format(output: Path | None, fmt: str | None, allowed: Sequence[str], default: str = "md",
                  what: str = "this") -> str:
    """The format to write ``what`` in ('a draft', 'a coverage report'): ``fmt`` (``--format``) and the
    suffix of ``output`` (``-o``) must agree; either alone will do; with neither, ``default``.

    Raises InputError, in words a planner can act on, when ``fmt`` is not one of ``allowed``, when the
    suffix is not one of them, when the two disagree, or when a Word document has no file to go in.
    """
    chosen = normalise(fmt) if fmt is not None else None
    if chosen is not None and chosen not in allowed:
        raise InputError(f"jfp cannot write {what} as '{fmt.strip()}'. Use --format {_either(list(allowed))}.")
    suffix = Path(output).suffix if output is not None else ""
    if suffix:
        from_name = _from_suffix(suffix)
        if from_name not in allowed:
            raise InputError(f"jfp cannot write {what} as a {suffix} file. It can write "
                             f"{_either([NAMES[f] for f in allowed])}: give the output file a name ending in one of those.")
        if chosen is not None and chosen != from_name:
            raise InputError(f"--format {fmt.strip()} but '{Path(output).name}' ends in {suffix}: "
                             "drop --format or change the file name.")
        return from_name
    chosen = chosen or default
    if chosen in NEEDS_FILE and output is None:
        raise InputError(f"{NEEDS_FILE[chosen]} cannot be shown in the terminal: add -o FILE.{chosen} to write it "
                         "to a file.")
    return chosen
