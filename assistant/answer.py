"""Answering a question from retrieved chunks: abstain, extract, or generate and verify.

The extractive answer is the default and the fallback. With an LLM configured, the model writes
from the same numbered sources; its answer is then checked: markers must point at sources it was
given, sentences without a valid marker are dropped, and a sentence with a number that no cited
source holds is dropped. Each kept marker is turned into a verbatim quote from its chunk.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from assistant.answerability import CorpusStats, unanswerable_reason, unmentioned_names
from assistant.chunk_sentences import sentences_of
from assistant.citations import collapse, make_citation, markers, uncited_numbers
from assistant.errors import LLMError
from assistant.extractive import ExtractiveAnswerer, Selection, readable
from assistant.prompts import load_prompt
from assistant.types import Answer, Citation, ScoredChunk
from ingest.chunking import split_sentences

log = logging.getLogger(__name__)

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
DEFAULT_THRESHOLD = 0.45


def _calibrated(key: str, default: float) -> float:
    try:
        return float(json.loads(CALIBRATION_FILE.read_text())[key])
    except (OSError, ValueError, KeyError, TypeError):
        return default


def calibrated_threshold() -> float:
    """The abstention threshold fitted on the dev gold set (see eval/calibrate.py)."""
    return _calibrated("abstain_threshold", DEFAULT_THRESHOLD)


def calibrated_unknown_share() -> float:
    """The share of a question's words that may be unknown to the library (eval/calibrate.py); 1.0: no check."""
    return _calibrated("max_unknown_share", 1.0)


@dataclass(frozen=True)
class Evidence:
    """What the abstention decision looks at."""

    best_sentence: float  # similarity of the best candidate sentence to the question
    best_chunk: float  # dense similarity of the best chunk

    @property
    def confidence(self) -> float:
        return max(self.best_sentence, 0.0) * 0.7 + max(self.best_chunk, 0.0) * 0.3


class AnswerBuilder:
    def __init__(self, extractive: ExtractiveAnswerer, chat=None, threshold: float | None = None,
                 max_words: int = 250, corpus_stats: Callable[[], CorpusStats] | None = None) -> None:
        self.extractive = extractive
        self.chat = chat
        self.corpus_stats = corpus_stats or CorpusStats.empty
        self.threshold = calibrated_threshold() if threshold is None else threshold
        self.max_unknown_share = calibrated_unknown_share()
        self.max_words = max_words

    def evidence(self, picks: list[Selection], retrieved: list[ScoredChunk], closest: float | None = None) -> Evidence:
        """``closest``: the similarity of the closest candidate unit (``ExtractiveAnswerer.choose``); without
        it, of the closest unit picked."""
        best_sentence = max([p.relevance for p in picks] + ([closest] if closest is not None else []), default=0.0)
        best_chunk = max((r.dense for r in retrieved if r.dense is not None), default=0.0)
        return Evidence(best_sentence=best_sentence, best_chunk=best_chunk)

    def build(self, question: str, retrieved: list[ScoredChunk], query_vector: np.ndarray, *,
              duty_ids: tuple[str, ...] = (), focus: str | None = None, names_local: bool = False,
              named_docs: frozenset[str] = frozenset(), overview: bool = False) -> Answer:
        """``focus`` is the text sentences are matched against (the question plus, for a follow-up,
        the previous turn, with acronyms expanded), ``query_vector`` its embedding (which may spell out
        fewer acronyms, see ``JfpService.ask``); ``names_local``: the question names an ICB's own
        document, so national requirements do not go first; ``overview``: it asks what a named document
        says as a whole (``assistant.overview``), which that document answers however far its sentences
        are from the question's few words, so closeness does not make it abstain."""
        stats = self.corpus_stats()
        choice = self.extractive.choose(focus or question, retrieved, query_vector, max_words=self.max_words,
                                        duties=duty_ids, names_local=names_local, name_words=stats.document_names,
                                        named_docs=named_docs, overview=overview)
        picks = choice.picks
        ev = self.evidence(picks, retrieved, choice.closest)
        if not picks or (ev.confidence < self.threshold and not overview):
            return self._abstain(question, retrieved, duty_ids, ev)
        reason = unanswerable_reason(question, [p.sentence.text for p in picks], stats, self.max_unknown_share,
                                     [p.sentence.chunk.doc_id in named_docs for p in picks] if named_docs else None)
        if reason:
            return self._abstain(question, retrieved, duty_ids, ev, reason)
        notices: list[str] = []
        unmentioned = unmentioned_names(question, stats)
        if unmentioned:
            notices.append(f"No indexed document mentions {', '.join(unmentioned)}; the passages quoted answer the "
                           "rest of the question.")
        if self.chat is not None:
            try:
                answer = self._generate(question, retrieved, duty_ids)
                return replace(answer, confidence=ev.confidence, notices=(*notices, *answer.notices))
            except LLMError as exc:
                notices.append(f"{exc.message} This answer was built by the extractive fallback.")
        text, cites = self.extractive.compose(picks)
        return Answer(question=question, answer=text, abstained=False, citations=tuple(cites),
                      retrieved=tuple(retrieved), backend="extractive", notices=tuple(notices), duty_ids=duty_ids,
                      confidence=ev.confidence)

    def _abstain(self, question: str, retrieved: list[ScoredChunk], duty_ids: tuple[str, ...], ev: Evidence,
                 reason: str | None = None) -> Answer:
        text = load_prompt("abstain").render().strip()
        if reason:
            text = f"{reason} {text}"
        closest: list[Citation] = []
        for n, r in enumerate(retrieved[:3], start=1):
            sents = sentences_of(r.chunk)
            quote = sents[0].text if sents else r.chunk.text.split("\n")[0][:300]
            closest.append(make_citation(n, r.chunk, quote))
        text += "\n\nClosest material:\n" + "\n".join(f"- {readable(collapse(c.quote))} [{c.n}]" for c in closest)
        return Answer(question=question, answer=text, abstained=True, citations=tuple(closest),
                      retrieved=tuple(retrieved), backend="extractive",
                      notices=(reason or f"confidence {ev.confidence:.2f} below {self.threshold:.2f}",), duty_ids=duty_ids,
                      confidence=ev.confidence)

    # --- LLM path ----------------------------------------------------------------------------
    def _generate(self, question: str, retrieved: list[ScoredChunk], duty_ids: tuple[str, ...]) -> Answer:
        sources = retrieved[:6]
        blocks = []
        for i, r in enumerate(sources, start=1):
            c = r.chunk
            where = f"{c.title}" + (f", page {c.page}" if c.page else "") + (f", section: {c.section}" if c.section else "")
            blocks.append(f"[{i}] ({where})\n<<<\n{c.text}\n>>>")
        messages = [
            {"role": "system", "content": load_prompt("answer_system").render()},
            {"role": "user", "content": load_prompt("answer_user").render(question=question, sources="\n\n".join(blocks))},
        ]
        reply = self.chat.complete(messages)
        if "NOT_IN_SOURCES" in reply:
            ev = Evidence(0.0, 0.0)
            return self._abstain(question, retrieved, duty_ids, ev)
        text, cites, dropped = verify_generated(reply, sources, self.extractive)
        if not cites:
            raise LLMError("The language model's answer had no sentence that could be checked against the sources.")
        notices = (f"{dropped} unsupported sentence(s) removed from the model's answer.",) if dropped else ()
        name = getattr(self.chat, "name", "llm")
        return Answer(question=question, answer=text, abstained=False, citations=tuple(cites),
                      retrieved=tuple(retrieved), backend=name, notices=notices, duty_ids=duty_ids)


def verify_generated(reply: str, sources: list[ScoredChunk], extractive: ExtractiveAnswerer) -> tuple[str, list[Citation], int]:
    """Keep only sentences whose markers point at given sources and whose numbers those sources hold.

    Markers are renumbered into citations, each with the source sentence most similar to the
    generated sentence as its verbatim quote.
    """
    kept: list[str] = []
    citations: list[Citation] = []
    by_key: dict[tuple[int, str], int] = {}
    dropped = 0
    embedder = extractive.embedder
    for sentence in split_sentences(re.sub(r"\s*\n+\s*", " ", reply.strip())):
        refs = [m for m in markers(sentence) if 1 <= m <= len(sources)]
        if not refs:
            dropped += 1
            continue
        cited = [sources[m - 1].chunk for m in refs]
        if uncited_numbers(sentence, [c.text for c in cited]):
            dropped += 1
            continue
        body = re.sub(r"\s*\[\d+\]", "", sentence).strip()
        new_markers = []
        for chunk in dict.fromkeys(cited):
            cands = sentences_of(chunk) or ()
            if cands:
                sv = embedder.embed_documents([s.text for s in cands])
                qv = embedder.embed_query(body)
                quote = cands[int(np.argmax(sv @ qv))].text
            else:
                quote = chunk.text.split("\n")[0]
            key = (id(chunk), quote)
            if key not in by_key:
                by_key[key] = len(citations) + 1
                citations.append(make_citation(by_key[key], chunk, quote))
            new_markers.append(by_key[key])
        kept.append(body + " " + "".join(f"[{n}]" for n in new_markers))
    return " ".join(kept), citations, dropped
