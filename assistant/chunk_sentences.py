"""Sentences of a chunk, each a verbatim span of the chunk text, with the context to embed it.

The contexts are embedded once, at ingest (``sentence_contexts``), and stored beside the chunk in the
manifest; the answerer looks them up instead of running the model per question. ``contexts_digest``
ties a stored set to the exact texts the answerer would embed today: if the sentence splitting
changes, the digest no longer matches and the answerer embeds those sentences itself.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from assistant.types import Chunk
from ingest.chunking import split_sentences

_LINK = re.compile(r"^(https?://|www\.)\S+$")
# a list marker: a bullet, or an enumerator as legal text numbers its lists ("1.", "(a)", "ii.", "(iv)")
_BULLET = re.compile(r"^\s*(?:[-•*▪◦]|\(?\d{1,2}[.)]|\(?[a-z][.)]|\(?[ivx]{2,5}[.)])\s+")
# a sentence that stops on a word no sentence ends with ("... ensure they meet the"): a page, column
# or cell break cut it, and it goes on in the next line
_UNFINISHED = re.compile(r"\b(in|of|the|a|an|to|for|with|and|or|by|from|on|as|such as|including|e\.g\.?|eg|"
                         r"for example|for instance|like|are|is|will|that|which)\s*$", re.I)


def unfinished(text: str) -> bool:
    """Whether ``text`` stops mid-sentence, on an article, preposition or conjunction."""
    return bool(_UNFINISHED.search(text))


@dataclass(frozen=True)
class Sentence:
    text: str  # verbatim from chunk.text (leading bullet removed)
    chunk: Chunk
    # what is embedded: the section's last heading and the sentence; for an item of a bulleted list,
    # the list's lead-in before it ("... may wish to describe how they will: deliver against ...")
    context: str
    position: int = 0  # index of the sentence within its chunk
    # a list quoted whole (see ``answer_units``): its lead-in, then each item, bullets removed
    lines: tuple[str, ...] = ()
    # an item of a list too long to quote whole: the list's lead-in ("... may wish to consider how they
    # can ... by:"), verbatim from the chunk, which the answer quotes above the item
    lead: str = ""
    # for an item of a list, bulleted or typed without bullets, as ``sentences_of`` gives it: the list's
    # lead-in ("This could include:"), which says how strongly the item is expected; the requirements
    # lookup reads it, and nothing else does (the answer quotes ``lead``)
    list_lead: str = ""


def _head(chunk: Chunk) -> str:
    """The section's last heading, which gives each embedded sentence its topic."""
    return chunk.section.split(" > ")[-1] if chunk.section else ""


_RUN_IN_MAX_WORDS = 6


def _run_in(text: str) -> bool:
    """A short opening that names what follows it: the run-in heading of a numbered or bulleted
    paragraph ("2. Intelligence-led decision making. Access to data ...")."""
    return len(text.split()) <= _RUN_IN_MAX_WORDS and text.endswith((".", ":")) and text[:1].isupper()


# a footnote reference glued to the full stop that ends a sentence ("... care or treatment.1"): the
# sentence is quoted without it, still a verbatim span of its chunk, and the reader sees no stray digit
_TRAILING_FOOTNOTE = re.compile(r"(?:(?<=[a-z)][.!?;:])|(?<=[a-z)][.!?][\"”’]))\d{1,2}$")


def _line_sentences(line: str, item: bool) -> list[str]:
    """The sentences of one line, verbatim. On a numbered or bulleted line (``item``), a run-in
    heading is one sentence with the one after it, so the heading is quoted (it names the point)
    and is not dropped as too short to stand alone. Elsewhere a short opening is left alone: a row
    label ("Duty as to climate change, etc. The plan should ...") would lend a local paraphrase the
    topic words that the national sentence it repeats does not carry."""
    parts = [p for p in (_TRAILING_FOOTNOTE.sub("", x.strip()) for x in split_sentences(line)) if p]
    if item and len(parts) >= 2 and _run_in(parts[0]):
        start = line.find(parts[0])
        after = line.find(parts[1], start + len(parts[0]))
        if start >= 0 and after >= 0:
            parts = [line[start:after + len(parts[1])], *parts[2:]]
    return parts


def _opens_list(line: str, following: str | None) -> bool:
    """Whether ``line`` is the lead-in of a list: it ends in a colon ("The five priorities are:") or,
    as legal text introduces its lettered lists, in a dash ("... have regard to the need to—") or
    mid-sentence ("... a broad range of professional expertise in") with a bulleted or numbered line
    next ("a. the prevention, diagnosis or treatment of illness"). A table row is a lead-in only when
    its last cell ends in a colon and bulleted lines follow ("Duty to ... | ... the NHS triple aims:"
    and "(a) health and wellbeing ...")."""
    body = line.strip()
    bulleted_next = following is not None and bool(_BULLET.match(following)) and "|" not in following
    if not body:
        return False
    if "|" in body:
        return bulleted_next and body.endswith(":")
    if body.endswith(":"):
        return True
    return bulleted_next and (body.endswith(("\u2014", "\u2013")) or unfinished(body))


def _lead_of(line: str) -> str:
    """The lead-in sentence of a line that opens a list: its last sentence, in a table row its last
    cell's (the row label is not part of it)."""
    body = _BULLET.sub("", line.strip())
    return split_sentences(body.rsplit("|", 1)[-1].strip())[-1]


@lru_cache(maxsize=20000)
def sentences_of(chunk: Chunk, min_words: int = 5) -> tuple[Sentence, ...]:
    head = _head(chunk)
    out: list[Sentence] = []
    # the lead-in of the bulleted list the line is an item of: an item alone ("deliver against key
    # national targets ...") does not say it is what a plan should describe
    lead = ""
    raws = chunk.text.split("\n")
    typed = _typed_list_leads(chunk)  # lists typed without bullets: line index -> lead-in
    for n, raw in enumerate(raws):
        line = _BULLET.sub("", raw).strip()
        if not line:
            continue
        item = bool(_BULLET.match(raw))
        if not (lead and item):
            lead = ""
        for s in _line_sentences(line, item=item):
            if len(s.split()) < min_words:
                continue
            said = f"{lead} {s}" if lead else s
            out.append(Sentence(text=s, chunk=chunk, context=f"{head}: {said}" if head else said, position=len(out),
                                list_lead=lead or typed.get(n, "")))
        if _opens_list(line, raws[n + 1] if n + 1 < len(raws) else None):
            lead = _lead_of(line)
    return tuple(out)


# a footnote printed among the lines ("4 See Domestic Abuse Act 2021 ..."): a bare number, then a capital
_FOOTNOTE_LINE = re.compile(r"^\s*\d{1,2}\s+[A-Z]")


def _typed_list_leads(chunk: Chunk) -> dict[int, str]:
    """For each line of ``chunk`` that is an item of a list (``_lists``), the list's lead-in; where
    that lead-in is itself an item of the line before ("This could include:" above "the governance
    structure, including:", once the bullets that nested them are lost), both, in reading order."""
    rows = _lines_with_offsets(chunk.text)
    starts = [at for at, _ in rows]
    out: dict[int, str] = {}
    for start, end, lines in _lists(chunk):
        lead = lines[0]
        first = bisect_right(starts, start) - 1  # the lead-in's line
        if lead[:1].islower() and first > 0 and rows[first - 1][1].rstrip().endswith(":"):
            lead = f"{_lead_of(rows[first - 1][1].strip())} {lead}"
        for n in range(first + 1, len(rows)):
            if rows[n][0] > end:
                break
            if not _FOOTNOTE_LINE.match(rows[n][1]):  # "4 See Domestic Abuse Act 2021 ...", a page's foot
                out[n] = lead
    return out


_LIST_MAX_WORDS = 90  # a longer list is not quoted whole: its items stand as sentences
_ITEM_MAX_WORDS = 40
_JOINED_MAX_WORDS = 80


def _lines_with_offsets(text: str) -> list[tuple[int, str]]:
    out, at = [], 0
    for line in text.split("\n"):
        out.append((at, line))
        at += len(line) + 1
    return out


def _is_item(line: str) -> bool:
    """A line that reads as an entry of a list: bulleted or numbered, or a short line with no
    table cells (a list typed without bullets), or one that carries on the lead-in in lower case."""
    t = line.strip()
    if not t or t.endswith(":") or "|" in t or _LINK.match(t):
        return False
    return bool(_BULLET.match(line)) or t[:1].islower() or len(t.split()) <= _ITEM_MAX_WORDS


def _list_blocks(chunk: Chunk) -> list[tuple[int, int, tuple[str, ...]]]:
    """Lists introduced by a lead-in ending in a colon ("The five priorities are:"), each as
    (start, end, lines): the span of the chunk text from the lead-in to the last item, verbatim, and
    its lines with bullets removed. A list of more than ``_LIST_MAX_WORDS`` words is not a block."""
    return [b for b in _lists(chunk) if _words_in(b) <= _LIST_MAX_WORDS]


def _long_lists(chunk: Chunk) -> list[tuple[int, int, tuple[str, ...]]]:
    """The lists of ``_lists`` too long to quote whole: their items are quoted one by one."""
    return [b for b in _lists(chunk) if _words_in(b) > _LIST_MAX_WORDS]


def _words_in(block: tuple[int, int, tuple[str, ...]]) -> int:
    return sum(len(x.split()) for x in block[2])


@lru_cache(maxsize=20000)
def _lists(chunk: Chunk) -> list[tuple[int, int, tuple[str, ...]]]:
    """Every list of two items or more introduced by a lead-in ending in a colon, as in ``_list_blocks``."""
    rows = _lines_with_offsets(chunk.text)
    blocks = []
    i = 0
    while i < len(rows):
        at, line = rows[i]
        body = line.strip()
        if not _opens_list(line, rows[i + 1][1] if i + 1 < len(rows) else None):
            i += 1
            continue
        lead = _lead_of(body)
        start = at + line.index(body) + body.rindex(lead)
        items: list[str] = []
        end = at + len(line)
        j = i + 1
        bulleted = j < len(rows) and bool(_BULLET.match(rows[j][1]))
        # a bulleted list ends at the first line without a bullet; in one, every bulleted line is an
        # item, though it ends in a colon ("a. the prevention, diagnosis or treatment of illness, and:")
        while j < len(rows) and (_BULLET.match(rows[j][1]) and "|" not in rows[j][1] if bulleted
                                 else _is_item(rows[j][1])):
            items.append(_BULLET.sub("", rows[j][1]).strip())
            end = rows[j][0] + len(rows[j][1].rstrip())
            j += 1
        if len(items) >= 2:
            blocks.append((start, end, (lead, *items)))
        i = max(j, i + 1)
    return blocks


def _rejoined(chunk: Chunk, sents: tuple[Sentence, ...]) -> tuple[Sentence, ...]:
    """Sentences with the parts of one sentence that were cut apart put back together:

    - cut by the splitter at a semicolon ("...work with their ICPs; local authorities; the voluntary
      sector;" + "NHS collaboratives ... in the development of the JFP."), on one line: the second
      half alone does not say what the list is for;
    - cut by a line break in the document ("... redesign services and ensure they meet the" +
      "needs of the most deprived 20% of the population ..."): the first part stops on a word no
      sentence ends with and the next line carries on in lower case.

    The joined text is the verbatim span of the chunk, line break included."""
    out: list[Sentence] = []
    cursor = 0  # the end of the previous sentence in the chunk text
    for s in sents:
        at = chunk.text.find(s.text, cursor)
        if at < 0:
            return sents
        prev = out[-1] if out else None
        gap = chunk.text[cursor:at]
        fits = prev is not None and len(prev.text.split()) + len(s.text.split()) <= _JOINED_MAX_WORDS
        at_semicolon = fits and prev.text.endswith(";") and gap.strip(" \t") == ""
        at_break = (fits and gap.strip() == "" and gap.count("\n") == 1 and unfinished(prev.text)
                    and s.text[:1].islower())
        if at_semicolon or at_break:
            text = chunk.text[cursor - len(prev.text):at + len(s.text)]
            out[-1] = Sentence(text=text, chunk=chunk, context=f"{prev.context} {s.text}", position=prev.position)
        else:
            out.append(Sentence(text=s.text, chunk=chunk, context=s.context, position=len(out)))
        cursor = at + len(s.text)
    return tuple(out)


@lru_cache(maxsize=20000)
def answer_units(chunk: Chunk) -> tuple[Sentence, ...]:
    """What the extractive answerer may quote from a chunk, in reading order: its sentences, except
    that a short list with its lead-in is one unit, quoted whole. A list's lead-in is no answer
    alone, and its items ("Restore NHS services inclusively.") are often too short to stand alone;
    together they are the answer to "what are the five priorities?"."""
    sents = _rejoined(chunk, sentences_of(chunk))
    blocks = _list_blocks(chunk)
    longer = _long_lists(chunk)
    if longer:
        sents = _with_leads(chunk, sents, longer)
    if not blocks:
        return sents
    head = _head(chunk)
    out: list[Sentence] = []
    cursor = 0  # the end of what is quoted so far (a list's items are inside its span)
    search = 0  # where the next sentence is looked for: just after the previous one
    pending = list(blocks)
    for s in sents:
        at = chunk.text.find(s.text, search)
        at = at if at >= 0 else max(search, cursor)
        search = at + len(s.text)
        while pending and pending[0][0] <= at:
            block = pending.pop(0)
            out.append(_list_unit(chunk, head, block, len(out)))
            cursor = block[1]
        if at < cursor:  # inside a list already quoted whole
            continue
        out.append(Sentence(text=s.text, chunk=chunk, context=s.context, position=len(out), lead=s.lead))
        cursor = at + len(s.text)
    out.extend(_list_unit(chunk, head, block, len(out) + i) for i, block in enumerate(pending))
    return tuple(out)


def _with_leads(chunk: Chunk, sents: tuple[Sentence, ...],
                lists: list[tuple[int, int, tuple[str, ...]]]) -> tuple[Sentence, ...]:
    """``sents`` with each sentence that lies among the items of one of ``lists`` given that list's
    lead-in: "sharing data and insights, so resource can be targeted ..." alone does not say that ICBs
    "may also wish to consider" it, nor what for."""
    out: list[Sentence] = []
    search = 0
    ended: set[int] = set()  # lists a line that reads as no item has closed
    for s in sents:
        at = chunk.text.find(s.text, search)
        if at < 0:
            out.append(s)
            continue
        search = at + len(s.text)
        lead = ""
        for n, (start, end, lines) in enumerate(lists):
            if n in ended or not start + len(lines[0]) < at < end:
                continue
            line = chunk.text[chunk.text.rfind("\n", 0, at) + 1:]
            # an item is bulleted or carries on the lead-in in lower case; a capitalised sentence after
            # a list typed without bullets is the text going on ("The JFP provides ...")
            if _BULLET.match(line) or s.text[:1].islower():
                lead = lines[0]
            else:
                ended.add(n)
            break
        out.append(replace(s, lead=lead) if lead else s)
    return tuple(out)


def _list_unit(chunk: Chunk, head: str, block: tuple[int, int, tuple[str, ...]], position: int) -> Sentence:
    start, end, lines = block
    lines = tuple(_TRAILING_FOOTNOTE.sub("", x) for x in lines)
    text = _TRAILING_FOOTNOTE.sub("", chunk.text[start:end])
    body = f"{lines[0]} " + "; ".join(x.rstrip(".;") for x in lines[1:])
    return Sentence(text=text, chunk=chunk, context=f"{head}: {body}" if head else body,
                    position=position, lines=lines)


# a numbered heading run into the text: "... by 2027/28 3.1 Overview of our new model of local care"
_OUTLINE_NUMBER = re.compile(r"(?:^|\s)\d{1,2}\.\d{1,2}\s+[A-Z]")
_ABOUT_STRUCTURE = re.compile(r"\b(structur\w*|chapters?|sections?|contents|headings?|outline|layout|"
                              r"organi[sz]ed|laid out)\b", re.I)
# asks for the outline itself: "how is the plan structured?", "what are the main chapters / sections?"
# ("the integration section", "its own chapter" ask about one part, not the outline)
_FOR_OUTLINE = re.compile(r"\b(structur\w*|chapters|sections|table of contents|headings|laid out|organi[sz]ed)\b", re.I)
# asks what the chapters are, not about the freedom to choose them ("how much freedom do we have over
# how it's structured?"): "what are the main chapters?", "how is the plan structured?"
_FOR_CHAPTERS = re.compile(r"\b(what|which) (are|will be|would be)\b.{0,40}\b(chapters|sections|headings)\b|"
                           r"\btable of contents\b|^\W*how (is|are|will)\b.{0,60}\bstructured\b|"
                           r"\bwhat (is|will be) the (structure|outline|layout)\b", re.I)
OUTLINE_SHARE = 0.5


def is_outline(text: str) -> bool:
    """Numbered headings strung together (a plan's proposed chapters), not sentences about them."""
    return len(_OUTLINE_NUMBER.findall(text)) >= 2


def about_structure(question: str) -> bool:
    """The question asks how a plan is structured ("what are the main chapters?")."""
    return bool(_ABOUT_STRUCTURE.search(question))


def asks_for_outline(question: str) -> bool:
    """The question asks for the outline of a plan, not about one of its parts."""
    return bool(_FOR_OUTLINE.search(question))


def asks_for_chapters(question: str) -> bool:
    """The question asks what a plan's chapters are, so the outline's chapters are the answer."""
    return bool(_FOR_CHAPTERS.search(question))


# the heading of a list of a document's appendices or contents ("5. Appendices", "Table of contents")
_CONTENTS_HEADING = re.compile(r"^\W*(\d+(\.\d+)*\.?\s+)?(appendices|annexes|list of (appendices|annexes|figures|tables)|"
                               r"(table of )?contents)\W*$", re.I)


def is_contents_section(chunk: Chunk) -> bool:
    """The chunk is in a section that lists a document's appendices or contents ("5. Appendices":
    "2. Legislative requirements for the joint forward plan", "4. Latest timetable"): titles of
    parts, which say nothing about what those parts hold."""
    return bool(_CONTENTS_HEADING.match(_head(chunk)))


def is_outline_chunk(chunk: Chunk) -> bool:
    """Most of the chunk's words are an outline of chapters (``is_outline``): it names every topic of
    a plan, so it matches many questions word for word, and it says nothing about any of them."""
    if len(_OUTLINE_NUMBER.findall(chunk.text)) < 2:  # most chunks: no need to split them (start-up time)
        return False
    units = answer_units(chunk)
    total = sum(len(u.text.split()) for u in units)
    outline = sum(len(u.text.split()) for u in units if is_outline(u.text))
    return total > 0 and outline >= OUTLINE_SHARE * total


def sentence_contexts(chunk: Chunk) -> list[str]:
    """The texts the answerer embeds for a chunk, in ``answer_units`` order (row i is position i).
    Not cached: ingest calls it once per chunk and must not fill the answerer's cache."""
    return [s.context for s in answer_units.__wrapped__(chunk)]


def contexts_digest(contexts: Sequence[str]) -> str:
    """A short fingerprint of a chunk's sentence contexts, in order."""
    h = hashlib.sha1(usedforsecurity=False)
    for c in contexts:
        h.update(c.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:16]
