"""Questions that ask for a counted set, and the numbered paragraphs that answer them.

"What are the five elements of integrated planning?" is answered by a document that announces the
set ("there are five key elements ICBs should consider") and then gives one numbered paragraph to
each ("1. Establishing a clear starting point. ...", ..., "5. Clear, integrated governance. ...").
The paragraphs are long, so they run over several chunks, and retrieval brings back only the ones
whose wording is closest to the question: an answer built from retrieved chunks alone names two of
the five. ``enumerated_units`` follows the document from the announcement, chunk by chunk, and
returns the opening unit of each numbered paragraph, 1 to N, or nothing if it cannot find them all.
A short list quoted whole ("The three principles are: ...") needs none of this: it is one unit
already (``assistant.chunk_sentences.answer_units``).

An outline of a plan's chapters ("1. Introduction", "2. Who needs our care and support ...", each
followed by its numbered subsections) is the same kind of set for "what are the main chapters?":
``chapter_units`` gives its top-level chapters in order, from the chunks the outline runs over.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.chunk_sentences import Sentence, answer_units
from assistant.terms import stem
from assistant.types import Chunk

_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10}
_COUNT = r"(two|three|four|five|six|seven|eight|nine|ten|[2-9]|10)"
# "the five elements of ...", "the 3 key principles", "our four core purposes": a count, up to two
# describing words, and a plural noun
_ASKED = re.compile(rf"\b(?:the|are|our|its|their|these|those)\s+{_COUNT}\s+((?:[a-z-]+\s+){{0,2}}[a-z-]+s)\b", re.I)
# counted spans of time are not sets to list ("over the five years", "the next two months")
_NOT_A_SET = {"year", "month", "week", "day", "hour", "minute", "time"}
# a numbered paragraph or item: "1. Establishing a clear starting point. ...", "2) ...", "- iii. The ..."
_NUMBERED = re.compile(r"^\s*(?:[-•*▪]\s+)?(\d{1,2}|[ivx]{1,4})[.)]\s+(\S.*)$")
_LABEL = re.compile(r"^(\d{1,2}|[ivx]{1,4})[.)]\s+")
_ROMAN = {r: n for n, r in enumerate(["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"], start=1)}
# a top-level chapter of an outline: "3. Our ambitions ... by 2027/28 3.1 Overview of ..." (not "3.1 ...")
_CHAPTER = re.compile(r"^\s*(\d{1,2})\.\s+(?!\d)(\S.*)$")
_SUBSECTION = re.compile(r"\s\d{1,2}\.\d{1,2}\s")
MAX_CHUNKS = 8  # how far past the announcement the paragraphs are looked for


@dataclass(frozen=True)
class Asked:
    count: int
    noun: str  # stemmed head noun ("element")


def asked_count(question: str) -> Asked | None:
    """The size and the kind of the set a question asks for, if it asks for a counted set."""
    for m in _ASKED.finditer(question):
        n = m.group(1).lower()
        noun = stem(m.group(2).split()[-1].lower())
        if noun.rstrip("s") in _NOT_A_SET:
            continue
        return Asked(_NUMBER_WORDS.get(n) or int(n), noun)
    return None


def announces(text: str, asked: Asked) -> bool:
    """The text announces a set of that size and kind ("there are five key elements ICBs should
    consider"): the count, then the noun within the next four words."""
    words = re.findall(r"[A-Za-z0-9-]+", text.lower())
    for i, w in enumerate(words):
        if _NUMBER_WORDS.get(w, int(w) if w.isdigit() else 0) != asked.count:
            continue
        if any(stem(x) == asked.noun for x in words[i + 1:i + 5]):
            return True
    return False


def enumerated_units(announcement: Sentence, asked: Asked,
                     following: Callable[[Chunk], Chunk | None]) -> list[Sentence]:
    """The opening unit of each of the paragraphs numbered 1 to ``asked.count`` after the
    announcement, in order, from its chunk and the ones after it; empty unless all are found.

    Chunks overlap, so a paragraph may be seen twice; the first sighting counts."""
    found: dict[int, Sentence] = {}
    chunk: Chunk | None = announcement.chunk
    at = chunk.text.find(announcement.text)
    start = at + len(announcement.text) if at >= 0 else 0  # the numbering comes after the announcement
    for _ in range(MAX_CHUNKS):
        if chunk is None or len(found) == asked.count:
            break
        units = answer_units(chunk)
        for line in chunk.text[start:].split("\n"):
            m = _NUMBERED.match(line)
            if not m:
                continue
            k, body = _number(m.group(1)), m.group(2).strip()
            unit = _opening_unit(units, body)
            if k in found and unit is not None and unit.text == found[k].text:  # seen in the chunks' overlap
                continue
            if k != len(found) + 1 or unit is None:  # the numbering does not run 1, 2, 3, ...: not the set
                return []
            found[k] = unit
            if len(found) == asked.count:
                break
        chunk, start = following(chunk), 0
    return [found[k] for k in sorted(found)] if len(found) == asked.count else []


def _number(label: str) -> int:
    """1 for "1" or "i"; 0 for a label that is no number ("vv")."""
    return int(label) if label.isdigit() else _ROMAN.get(label, 0)


def _opening_unit(units: Sequence[Sentence], body: str) -> Sentence | None:
    """The unit a numbered paragraph opens with (its run-in heading and first sentence)."""
    for u in units:
        # a label the bullet stripping left ("i. The health and wellbeing ..." after "- ") is not text
        if not u.lines and body.startswith(_LABEL.sub("", u.text)[:40]):
            return u
    return None


def chapter_units(outline: Chunk, following: Callable[[Chunk], Chunk | None]) -> list[Sentence]:
    """The top-level chapters of the outline that starts in ``outline``, numbered 1, 2, 3 ... in order,
    each quoted as written, without its number, up to its first subsection ("Our ambitions for what
    care and support will look like by 2027/28"); read on into the chunks after it while the numbering
    goes on. Empty unless the outline starts at chapter 1 and has at least two chapters.

    A chapter line is too short to be one of the chunk's sentences ("1. Introduction"), so each unit
    is made here, with no position among the chunk's stored sentence vectors (``position`` -1)."""
    found: list[Sentence] = []
    chunk: Chunk | None = outline
    for _ in range(MAX_CHUNKS):
        if chunk is None:
            break
        for line in chunk.text.split("\n"):
            m = _CHAPTER.match(line)
            if not m:
                continue
            k, body = int(m.group(1)), m.group(2)
            sub = _SUBSECTION.search(body)
            text = (body[:sub.start()] if sub else body).strip()
            if k <= len(found) and found[k - 1].text == text:  # seen in the overlap of two chunks
                continue
            if k != len(found) + 1:  # the numbering starts again or jumps: the outline has ended
                return found if len(found) >= 2 else []
            found.append(Sentence(text=text, chunk=chunk, context=text, position=-1))
        chunk = following(chunk)
    return found if len(found) >= 2 else []
