"""Table rows keyed by a duty: which duties the row a sentence sits in names.

Requirements tables reach the index as text ("Duty to promote integration Describe how ICBs will
integrate ..." on one line, "Duty as to climate change | Our plan ..." on another): a row starts at a
line that opens with a duty's name. Shared by the governance lookup (``assistant.requirements``), the
drafter (``assistant.draft_material``) and the answer's order (``assistant.extractive``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from assistant.duties import DUTIES
from assistant.types import Chunk


def row_duties(chunk: Chunk, sentence: str, before: Chunk | None = None) -> tuple[str, ...]:
    """The duties of the table row a sentence of ``chunk`` sits in: those of the last row label at
    or before it ("Addressing the particular needs of children and young people" above "The plan must
    set out ... Identify and set steps ..."). A row label is a line that is a duty's name, or opens
    with one before a cell break ("|"), a comma or full stop, or a new sentence ("Duty in respect of
    research Set out how ..."), or opens with a name of three words or more and has no full stop
    ("Describing the health services for which the ICB proposes to make arrangements");
    "workforce planning at system level" is not one. A table row whose
    first cell names no duty ends the last label's reach. Empty when no label comes before the
    sentence (prose), unless ``before``, the chunk before in the same document and section, ends in
    a row: a table cut between chunks carries its last row over ("Addressing the particular needs of
    victims of abuse" ending one chunk, "The plan must set out any steps ..." opening the next)."""
    at = chunk.text.find(sentence)
    if at < 0:
        return ()
    labels = _row_labels(chunk)
    i = bisect_right([offset for offset, _ in labels], at)
    if i:
        return labels[i - 1][1]
    if before is not None and before.doc_id == chunk.doc_id and before.section == chunk.section:
        carried = _row_labels(before)
        return carried[-1][1] if carried else ()
    return ()


@lru_cache(maxsize=4096)
def _row_labels(chunk: Chunk) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """Where each row of ``chunk`` starts (a row label, or a table row whose first cell names no
    duty), with the duties it names, in order; worked out once per chunk, not per sentence."""
    out = []
    offset = 0
    for line in chunk.text.split("\n"):
        named = _row_label(line)
        if named or "|" in line:
            out.append((offset, named))
        offset += len(line) + 1
    return tuple(out)


_LABEL_END = re.compile(r"\s*($|\||[,.;:(]|\s[A-Z])")
_SENTENCE_STOP = re.compile(r"[.!?](\s|$)")


def _plain(text: str) -> str:
    return " ".join(text.replace("&", "and").split())


# each duty's headings, in lower case, "&" spelt "and", spaces collapsed
_HEADINGS = tuple((d.id, tuple(_plain(h).lower() for h in d.headings)) for d in DUTIES)


def _row_label(line: str) -> tuple[str, ...]:
    """The duties a line names as its row label (see ``row_duties``)."""
    text = _plain(line).lstrip("|•-* ")
    low = text.lower()
    return tuple(duty_id for duty_id, heads in _HEADINGS
                 if any(low.startswith(head) and (_LABEL_END.match(text, len(head)) or (
                     len(head.split()) >= 3 and not _SENTENCE_STOP.search(text))) for head in heads))


__all__ = ["row_duties"]
