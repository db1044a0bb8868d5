"""Evaluation metrics: small pure functions over plain strings, numbers and booleans.

Each docstring is the definition of its metric. Nothing here calls the assistant, an index or a model,
so every rule can be checked with hand-made examples (tests/eval/test_metrics.py).

The metrics deliberately share no code with the system they grade (``assistant/``): a bug in, say,
the assistant's quote check must not also hide in the check that grades it.

Matching vocabulary used throughout:

* **normalised text** -- see :func:`normalise`.
* **words** -- runs of letters and digits in the normalised text, apostrophes removed first
  (``ICB's`` -> ``icbs``; ``well-led`` -> ``well``, ``led``; ``2023/24`` -> ``2023``, ``24``).
* **content words** -- words that are not in :data:`STOPWORDS`, each reduced by :func:`stem`.
* **citation marker** -- ``[3]``, ``[1, 2]``, ``[1-3]`` in an answer's text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

__all__ = [
    "STOPWORDS",
    "abstention_precision_recall",
    "chunk_is_relevant",
    "citation_valid",
    "citation_validity",
    "content_words",
    "faithfulness",
    "hit_at_k",
    "keypoint_coverage",
    "keypoint_in_text",
    "keypoint_recall",
    "keypoints_missed",
    "mean",
    "normalise",
    "reciprocal_rank",
    "split_sentences",
    "stem",
    "strip_markers",
]

# --------------------------------------------------------------------------------------------------
# Normalisation and words

_UNIFY = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\u0060\u00b4", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
    }
)
_EDGE_PUNCT = re.compile(r"(?<!\S)(?:[^\w\s]|_)+|(?:[^\w\s]|_)+(?!\S)")
_WORD = re.compile(r"[^\W_]+")

STOPWORDS: frozenset[str] = frozenset(
    {
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
        "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
        "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "etc",
        "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
        "herself", "him", "himself", "his", "how", "however", "i", "if", "in", "into", "is", "it",
        "its", "itself", "just", "may", "me", "might", "more", "most", "must", "my", "myself", "no",
        "nor", "not", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves",
        "out", "over", "own", "same", "shall", "she", "should", "so", "some", "such", "than", "that",
        "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this",
        "those", "through", "to", "too", "under", "until", "up", "upon", "us", "very", "via", "was",
        "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
        "within", "without", "would", "you", "your", "yours", "yourself", "yourselves", "eg", "ie", "e",
        "g",
    }
)
"""Common English function words, ignored when content words are compared. Modal verbs (must,
should, may) are included: "must publish" and "should publish" make the same factual claim for these
metrics, and the key points name the thing, not its strength."""


def normalise(text: str) -> str:
    """The form all matching compares.

    In order: curly single quotes, primes and backticks become ``'``; curly and angled double quotes
    become ``"``; every dash and minus sign (hyphen, en, em, figure dash, U+2212...) becomes ``-``;
    Unicode NFKC (ligatures such as "ﬁ" split, non-breaking spaces become spaces); lowercase; then
    punctuation and symbols are dropped at the start and end of each whitespace-separated token
    (``"plan."`` -> ``plan``, ``(ICB)`` -> ``icb``, a lone ``-`` or ``•`` disappears) while inner
    punctuation stays (``don't``, ``2023/24``, ``well-led``); whitespace is collapsed to single spaces
    and trimmed.
    """
    text = unicodedata.normalize("NFKC", text.translate(_UNIFY)).lower()
    text = " ".join(text.split())
    return " ".join(_EDGE_PUNCT.sub("", text).split())


def _words(text: str) -> list[str]:
    """Runs of letters and digits in the normalised text, apostrophes removed first."""
    return _WORD.findall(normalise(text).replace("'", ""))


def _undouble(word: str) -> str:
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "aeiouylsz":
        return word[:-1]
    return word


def stem(word: str) -> str:
    """A deliberately crude, deterministic suffix stripper for lowercase words.

    Applied in order, each step at most once:

    1. plural: ``-ies`` -> ``-y`` (``bodies`` -> ``body``) when the word is longer than 4 letters;
       otherwise a final ``-s`` is dropped (``plans`` -> ``plan``) unless the word ends in ``-ss``,
       ``-us`` or ``-is`` or has fewer than 3 letters;
    2. ``-ing`` is dropped from words longer than 5 letters, else ``-ed`` from words longer than 4,
       and a doubled final consonant left behind is undoubled (``planning``, ``planned`` -> ``plan``);
    3. if step 2 removed nothing, a final ``-e`` is dropped from words longer than 3 letters, so
       ``-es`` plurals and verb forms meet their base (``services``, ``service``, ``serviced``,
       ``servicing`` -> ``servic``; ``agreed``, ``agree`` -> ``agre``).

    It only has to map a word and its plural/-ing/-ed forms to the same string; the result need not
    be a real word.
    """
    w = word
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) >= 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 5 and w.endswith("ing"):
        w = _undouble(w[:-3])
    elif len(w) > 4 and w.endswith("ed"):
        w = _undouble(w[:-2])
    elif len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


def content_words(text: str) -> list[str]:
    """The stemmed non-stopword words of ``text``, in order, repeats kept."""
    return [stem(w) for w in _words(text) if w not in STOPWORDS]


@lru_cache(maxsize=4096)
def _stem_set(text: str) -> frozenset[str]:
    return frozenset(content_words(text))


# --------------------------------------------------------------------------------------------------
# Key points

_MARKER = re.compile(r"\[(\d+(?:\s*[,;\-\u2013]\s*\d+)*)\]")


def strip_markers(text: str) -> str:
    """``text`` with citation markers (``[3]``, ``[1, 2]``, ``[1-3]``) replaced by a space."""
    return _MARKER.sub(" ", text)


def _marker_numbers(text: str) -> list[int]:
    out: list[int] = []
    for group in _MARKER.findall(text):
        for part in re.split(r"\s*[,;]\s*", group):
            lo, _, hi = part.replace("\u2013", "-").partition("-")
            if hi and int(hi) >= int(lo) and int(hi) - int(lo) < 50:
                out.extend(range(int(lo), int(hi) + 1))
            else:
                out.append(int(lo))
    return out


def keypoint_in_text(point: str, text: str) -> bool:
    """Whether ``text`` covers the key point ``point``.

    A key point is covered when either:

    1. **phrase match** -- the normalised point occurs in the normalised text as a whole-token
       sequence (``"triple aim"`` matches "...the Triple Aim." but ``"aim"`` does not match "claim");
       or
    2. **window match** (points of two or more words only) -- at least 80% of the point's distinct
       content words appear, stemmed, within one run of ``2 * n + 10`` consecutive words of the
       text, where ``n`` is the number of words in the point. So "publish the plan by 30 June 2023"
       covers "published ... 30 June 2023" when the words sit close together, but the same words
       scattered over a long answer do not.

    A point with no content words (all stopwords) can only be covered by a phrase match.
    """
    norm_point = normalise(point)
    if not norm_point:
        return False
    if f" {norm_point} " in _padded(text):
        return True
    point_words = _words(point)
    if len(point_words) < 2:
        return False
    wanted = {stem(w) for w in point_words if w not in STOPWORDS}
    if not wanted:
        return False
    need = (4 * len(wanted) + 4) // 5  # smallest count with count / len(wanted) >= 0.8
    window = 2 * len(point_words) + 10
    hits = [(i, s) for i, s in enumerate(_positions(text)) if s in wanted]
    for start, (first, _) in enumerate(hits):
        seen = {s for i, s in hits[start:] if i < first + window}
        if len(seen) >= need:
            return True
    return False


@lru_cache(maxsize=4096)
def _padded(text: str) -> str:
    return f" {normalise(text)} "


@lru_cache(maxsize=4096)
def _positions(text: str) -> tuple[str | None, ...]:
    """One entry per word of ``text``: its stem, or ``None`` for a stopword (keeps word positions)."""
    return tuple(None if w in STOPWORDS else stem(w) for w in _words(text))


def chunk_is_relevant(chunk_text: str, must_mention: Sequence[str]) -> bool:
    """A retrieved chunk is relevant when it covers at least one key point (:func:`keypoint_in_text`)."""
    return any(keypoint_in_text(p, chunk_text) for p in must_mention)


def hit_at_k(retrieved_texts: Sequence[str], must_mention: Sequence[str], k: int) -> float:
    """1.0 when any of the first ``k`` retrieved chunks (best first) is relevant, else 0.0.

    With no key points nothing can be relevant, so the result is 0.0.
    """
    return 1.0 if any(chunk_is_relevant(t, must_mention) for t in retrieved_texts[:k]) else 0.0


def reciprocal_rank(retrieved_texts: Sequence[str], must_mention: Sequence[str]) -> float:
    """``1 / rank`` of the first relevant chunk in the list (rank 1 = best), 0.0 when none is."""
    for rank, text in enumerate(retrieved_texts, start=1):
        if chunk_is_relevant(text, must_mention):
            return 1.0 / rank
    return 0.0


def keypoint_recall(retrieved_texts: Sequence[str], must_mention: Sequence[str]) -> float | None:
    """Share of the key points that at least one retrieved chunk covers (:func:`keypoint_in_text`):
    about the most an answer drawn from those chunks could cover (a window match can span two
    quoted sentences, so rarely a little more). ``None`` when there are no key points.

    Comparing it with :func:`keypoint_coverage` splits what an answer misses into what retrieval
    never found and what the answer left out of what it had.
    """
    if not must_mention:
        return None
    return sum(1 for p in must_mention if any(keypoint_in_text(p, t) for t in retrieved_texts)) / len(must_mention)


def keypoints_missed(answer_text: str, must_mention: Sequence[str], max_words: int = 300) -> list[str]:
    """The key points that the answer's first ``max_words`` words do not cover.

    Citation markers are removed first, then the text is cut to its first ``max_words``
    whitespace-separated words, then each point is checked with :func:`keypoint_in_text` on each bullet
    or paragraph of what is left: a point is covered within one of them (a quoted sentence, an item of
    a list, a paragraph of prose), not by words that two neighbouring bullets happen to put close together
    ("... help patients make choices." and "A JFP that addresses the duty to involve each patient ..."
    do not make "duty as to patient choice").
    """
    lines = _head_lines(answer_text, max_words)
    return [p for p in must_mention if not any(keypoint_in_text(p, line) for line in lines)]


_ITEM_START = re.compile(r"^\s*(?:[-*\u2022\u2013]|\d{1,2}[.)])\s")


def _head_lines(answer_text: str, max_words: int) -> list[str]:
    """The answer's bullets and paragraphs without its markers, cut after its first ``max_words``
    words. A bullet starts at a line opening with a list marker ("- ", "* ", "1. "), a paragraph after
    an empty line; any other line break is a wrap inside one (raw text from a PDF)."""
    blocks: list[list[str]] = []
    fresh = True
    for line in strip_markers(answer_text).splitlines():
        words = line.split()
        if not words:
            fresh = True
            continue
        if fresh or _ITEM_START.match(line):
            blocks.append([])
        blocks[-1].extend(words)
        fresh = False
    out: list[str] = []
    left = max_words
    for words in blocks:
        if left <= 0:
            break
        out.append(" ".join(words[:left]))
        left -= len(words)
    return out


def keypoint_coverage(answer_text: str, must_mention: Sequence[str], max_words: int = 300) -> float | None:
    """Share of the key points covered by the answer's first ``max_words`` words.

    Only the opening ``max_words`` words count (after citation markers are removed), so an answer
    cannot score by being long. ``None`` when there are no key points to cover.
    """
    if not must_mention:
        return None
    return 1.0 - len(keypoints_missed(answer_text, must_mention, max_words)) / len(must_mention)


# --------------------------------------------------------------------------------------------------
# Citations


def _collapse(text: str) -> str:
    return " ".join(text.split())


def citation_valid(quote: str, chunk_text: str | None, document_text: str | None) -> bool:
    """Whether a citation's quote is real.

    Valid when the quote is non-empty and occurs verbatim in the cited chunk's text **and** in the
    full text of the chunk's document. The only normalisation is collapsing runs of whitespace
    (including line breaks) to one space and trimming: case, quotes, dashes and punctuation must
    match exactly. A missing chunk or document (``None``) makes the citation invalid.
    """
    q = _collapse(quote or "")
    if not q or chunk_text is None or document_text is None:
        return False
    return q in _collapse(chunk_text) and q in _collapse(document_text)


def citation_validity(citations: Iterable[tuple[str, str | None, str | None]]) -> float | None:
    """Share of ``(quote, chunk_text, document_text)`` triples that are :func:`citation_valid`.

    ``None`` when there are no citations (nothing to judge; callers skip it rather than count it as
    perfect).
    """
    flags = [citation_valid(q, c, d) for q, c, d in citations]
    return sum(flags) / len(flags) if flags else None


# --------------------------------------------------------------------------------------------------
# Faithfulness

_HEADING = re.compile(r"^(?:#{1,6}\s|(?:\*\*|__)[^*_]+(?:\*\*|__):?$|[-*_]{3,}$)")
_BULLET = re.compile(r"^(?:>\s*)?(?:[-*+\u2022\u25aa\u25e6]|\d{1,3}[.)]|[a-z][.)])\s+")
_MARKERS_AFTER_END = re.compile(r"([.!?])((?:\s*\[\d+(?:\s*[,;\-\u2013]\s*\d+)*\])+)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# a full stop that ends an abbreviation, not a sentence ("– i.e. 1 April", "(e.g. NHS England)"), or one
# before a number ("No. 10", "para. 4")
_ABBREVIATION = re.compile(r"(?<![A-Za-z])(?:i\.e|e\.g)\.$", re.I)
_BEFORE_NUMBER = re.compile(r"(?<![A-Za-z])(?:no|para|pp?)\.$", re.I)


def split_sentences(text: str) -> list[str]:
    """The sentences of an answer that faithfulness scores.

    Line by line: empty lines, Markdown headings (``# ...``), lines that are only bold text
    (``**Key points**``), horizontal rules and lead-in lines ending with ``:`` that carry no citation
    marker are skipped; a leading list bullet or number is removed. Markers written after the full
    stop (``... 2023. [1]``) are moved before it so they stay with their sentence. Each line is then
    split after ``.``, ``!`` or ``?`` followed by whitespace, except after "i.e." or "e.g.", and after
    "No.", "para.", "p." or "pp." before a number: those end an abbreviation, not a sentence.
    """
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or _HEADING.match(line):
            continue
        if line.endswith(":") and not _MARKER.search(line):
            continue
        line = _BULLET.sub("", line)
        line = _MARKERS_AFTER_END.sub(r"\2\1", line)
        out.extend(s.strip() for s in _split_line(line) if s.strip())
    return out


def _split_line(line: str) -> list[str]:
    """``line`` split after ``.``, ``!`` or ``?`` followed by whitespace, except after an abbreviation."""
    parts: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(line):
        before = line[max(start, m.start() - 6):m.start()]
        if _ABBREVIATION.search(before) or (line[m.end():m.end() + 1].isdigit() and _BEFORE_NUMBER.search(before)):
            continue
        parts.append(line[start:m.start()])
        start = m.end()
    parts.append(line[start:])
    return parts


def faithfulness(answer_text: str, citations: Mapping[int, str | None]) -> float | None:
    """Share of the answer's sentences that are supported by the sources they cite.

    ``citations`` maps each marker number ``n`` to the full text of the chunk that ``[n]`` cites.
    Sentences come from :func:`split_sentences`; a sentence with no content words (markers removed)
    is skipped. A sentence is **supported** when it carries at least one marker and at least 60% of
    its distinct content words (stopwords removed, stemmed, markers removed) appear among the words
    of the texts its markers cite, taken together. A sentence without a marker, or citing only
    numbers missing from ``citations``, is unsupported. ``None`` when no sentence is scored.
    """
    supported = scored = 0
    for sentence in split_sentences(answer_text):
        words = _stem_set(strip_markers(sentence))
        if not words:
            continue
        scored += 1
        cited = [citations.get(n) for n in _marker_numbers(sentence)]
        available: set[str] = set()
        for text in cited:
            if text:
                available |= _stem_set(text)
        if available and 5 * len(words & available) >= 3 * len(words):
            supported += 1
    return supported / scored if scored else None


# --------------------------------------------------------------------------------------------------
# Abstention and aggregation


def abstention_precision_recall(pairs: Iterable[tuple[bool, bool]]) -> tuple[float, float]:
    """Precision and recall of abstaining, over ``(should_abstain, did_abstain)`` pairs.

    precision = correct abstentions / all abstentions (1.0 when the system never abstained);
    recall = correct abstentions / questions that should have been abstained on (1.0 when none
    should).
    """
    should = did = both = 0
    for should_abstain, did_abstain in pairs:
        should += bool(should_abstain)
        did += bool(did_abstain)
        both += bool(should_abstain) and bool(did_abstain)
    return (both / did if did else 1.0, both / should if should else 1.0)


def mean(xs: Iterable[float | None]) -> float | None:
    """Arithmetic mean of the values that are not ``None``; ``None`` when there are none."""
    vals = [x for x in xs if x is not None]
    return sum(vals) / len(vals) if vals else None
