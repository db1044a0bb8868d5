"""The service façade: the one place the CLI, the web UI and the eval harness call.

Backends (embedder, vector index, manifest, chat model) are built lazily from settings by the
factory functions here, so importing this module loads nothing heavy.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.duties import Duty, all_duties, duties_in_question, get_duty
from assistant.errors import InputError
from assistant.glossary import expand, load_local
from assistant.overview import asks_for_overview
from assistant.types import DOC_KINDS, Answer, DocumentRecord, IngestReport

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class QuestionQuery:
    """A question as retrieval reads it (``JfpService.question_query``)."""

    text: str  # for BM25 and the answerer's word overlap
    vector: np.ndarray  # for the vector search
    sentence_vector: np.ndarray  # what the answer's sentences are matched against

    def leaning_to(self, other: QuestionQuery, weight: float) -> QuestionQuery:
        """This query with ``weight`` of each vector taken from ``other``'s (the text is this one's)."""
        import numpy as np

        def mix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            m = (1 - weight) * a + weight * b
            return (m / np.linalg.norm(m)).astype(a.dtype, copy=False)

        return QuestionQuery(self.text, mix(self.vector, other.vector), mix(self.sentence_vector, other.sentence_vector))


def clean_question(question: str) -> str:
    """Validate a question; raise InputError with a plain message when it cannot be used."""
    if question is None:
        raise InputError("Please type a question.")
    q = _CONTROL.sub(" ", unicodedata.normalize("NFC", str(question)))
    q = re.sub(r"\s+", " ", q).strip()
    if not q:
        raise InputError("Please type a question: the question was empty.")
    if len(q) > MAX_QUESTION_CHARS:
        raise InputError(
            f"The question is {len(q):,} characters long; please keep it under {MAX_QUESTION_CHARS:,} "
            "(ask about one topic at a time)."
        )
    if not re.search(r"\w", q):
        raise InputError("The question has no words in it. Please type a question in plain English.")
    return q


def is_follow_up(question: str) -> bool:
    """Short or anaphoric questions lean on the previous turn ("and for children?")."""
    q = question.lower().strip()
    return (len(q.split()) <= 6 or bool(re.match(r"^(and|what about|how about|also|but|same|then|for)\b", q))
            or bool(re.search(r"\b(it|this|that|they|them|those|these)\b", q)) and len(q.split()) <= 10)


class JfpService:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._init_lock = threading.Lock()
        # The index is a folder made on first use; a file in its place (or on its path) would fail there
        # with a bare FileExistsError, so say so now, plainly.
        index_dir = self.settings.index_dir.expanduser()
        try:
            found = next((p for p in (index_dir, *index_dir.parents) if p.exists()), None)
            blocked = found is not None and not found.is_dir()
        except OSError:  # unreadable: leave it to the first real use to report
            blocked = False
        if blocked:
            raise InputError(
                f"--index (or JFP_INDEX_DIR) must be a folder; '{found}' is a file. "
                "Give the path of a folder, or of one that does not exist yet."
            )

    # --- backends (lazy) ---------------------------------------------------------------------
    @cached_property
    def manifest(self):
        from ingest.manifest import Manifest

        return Manifest(self.settings.manifest_path)

    @cached_property
    def embedder(self):
        from ingest.embedding import load_embedder

        return load_embedder(self.settings.embedding_model, self.settings.embedding_batch_size,
                             self.settings.query_backend)

    @cached_property
    def index(self):
        from ingest.index import ChromaIndex

        s = self.settings
        if s.chroma_host:
            return ChromaIndex.server(s.chroma_host, s.chroma_port, s.collection, self.embedder)
        return ChromaIndex.embedded(s.chroma_dir, s.collection, self.embedder)

    @cached_property
    def ingestor(self):
        from ingest.chunking import ChunkingConfig
        from ingest.pipeline import Ingestor

        s = self.settings
        return Ingestor(self.manifest, self.index, self.embedder, lock_path=s.index_dir / "ingest.lock",
                        chunking=ChunkingConfig(s.chunk_tokens, s.chunk_overlap), max_file_mb=s.max_file_mb,
                        batch_size=s.embedding_batch_size)

    @cached_property
    def retriever(self):
        from assistant.retrieval import HybridRetriever, RetrievalConfig

        return HybridRetriever(self.manifest, self.index, self.embedder,
                               RetrievalConfig.tuned(self.settings.fusion, k=self.settings.k), glossary=self.local_glossary)

    @cached_property
    def chat(self):
        if not self.settings.llm_base_url:  # extractive mode: no need to import the openai client (0.6 s)
            return None
        from assistant.llm import build_chat_model

        return build_chat_model(self.settings)

    @cached_property
    def answers(self):
        from assistant.answer import AnswerBuilder
        from assistant.extractive import ExtractiveAnswerer

        extractive = ExtractiveAnswerer(self.embedder, term_weights=lambda: self.retriever.term_weights,
                                        stored_vectors=self._stored_sentence_vectors, topics=self.duty_topics,
                                        following=self.retriever.next_chunk,
                                        preceding=self.retriever.previous_chunk)
        return AnswerBuilder(extractive, chat=self.chat, threshold=self.settings.abstain_threshold,
                             max_words=self.settings.answer_max_words,
                             corpus_stats=self._corpus_stats)

    @cached_property
    def duty_topics(self):
        from assistant.duty_topics import DutyTopics

        return DutyTopics(self.embedder, self.settings.index_dir)

    def _stored_sentence_vectors(self, chunk_ids):
        """Sentence vectors computed at ingest (in the manifest), for this embedding model."""
        return self.manifest.sentence_vectors(chunk_ids, getattr(self.embedder, "name", ""))

    def _corpus_stats(self):
        self.retriever.refresh()
        return self.retriever.corpus

    @cached_property
    def local_glossary(self) -> dict[str, str]:
        return load_local(self.settings.corpus_dir / "glossary.json")

    def expand(self, text: str, skip: frozenset[str] = frozenset()) -> str:
        """``text`` with its acronyms' long forms appended (``assistant.glossary.expand``), but not of ``skip``."""
        return expand(text, self.local_glossary, skip=skip)

    def question_query(self, asked: str) -> QuestionQuery:
        """What retrieval and the answerer read for a question (``QuestionQuery``).

        The text has only its rarer acronyms spelled out ("AHSN", not "JFP":
        ``assistant.glossary.everyday_acronyms``). The vector search reads a weighted mean of two
        phrasings: that one (``RetrievalConfig.as_asked_weight``), and the question with every acronym
        spelled out. Spelled out in full, "What should the JFP say about urgent and emergency care
        recovery? (joint forward plan)" lands nearest the paragraphs on what a joint forward plan is, not
        the 2023/24 objectives for urgent and emergency care; left as "JFP", which the embedding model
        does not know, "How is the Cornwall JFP going to be structured?" no longer finds "Proposed
        structure of the Joint Forward Plan", and "What are the key deadlines for the JFP?" finds
        education plans "in the short (1-2 years), medium (3-5 years) and long-term".
        """
        import numpy as np

        text = self.expand(asked, skip=self.retriever.everyday_acronyms())
        plain = self.embedder.embed_query(text)
        full = self.expand(asked)
        if full == text:
            return QuestionQuery(text, plain, plain)
        w = self.retriever.config.as_asked_weight
        both = w * plain + (1 - w) * self.embedder.embed_query(full)
        return QuestionQuery(text, (both / np.linalg.norm(both)).astype(plain.dtype, copy=False), plain)

    # --- duties ------------------------------------------------------------------------------
    def duties(self) -> tuple[Duty, ...]:
        return all_duties()

    # --- library -----------------------------------------------------------------------------
    def ingest(self, paths: Sequence[Path] | None = None, *, kind: str | None = None, progress=None) -> IngestReport:
        targets = [Path(p) for p in paths] if paths else [self.settings.corpus_dir]
        report = self.ingestor.ingest(targets, kind=kind, progress=progress)
        self.duty_topics.ensure()  # made once beside the index, so answering embeds only the question
        return report

    def sources(self) -> list[DocumentRecord]:
        return self.manifest.documents()

    def document_id(self, given: str) -> str:
        """The indexed document ``given`` names: its id, or the start of one ('jfp sources' shortens
        ids to fit a narrow terminal: "8184f204…"), which must name one document only."""
        wanted = (given or "").strip().rstrip("…").rstrip(".").strip()
        ids = self.manifest.doc_ids()
        if wanted in ids:
            return wanted
        starting = [d for d in ids if wanted and d.startswith(wanted)]
        if len(starting) == 1 and len(wanted) >= 4:
            return starting[0]
        if len(starting) > 1:
            raise InputError(f"'{given}' is the start of {len(starting)} document ids; give more of it. "
                             "Run 'jfp sources --json' for the full ids.")
        raise InputError(f"No document with id '{given}' is indexed. Run 'jfp sources' to see the ids.")

    def remove(self, doc_id: str) -> int:
        doc_id = (doc_id or "").strip()
        if not self.manifest.has_document(doc_id):
            raise InputError(f"No document with id '{doc_id}' is indexed. Run 'jfp sources' to see the ids.")
        return self.ingestor.remove(doc_id)

    def chunk_text(self, chunk_id: str) -> str | None:
        c = self.manifest.chunk(chunk_id)
        return c.text if c else None

    def document_text(self, doc_id: str) -> str | None:
        return self.manifest.document_text(doc_id)

    # --- ask ---------------------------------------------------------------------------------
    def ask(self, question: str, *, duty: str | None = None, k: int | None = None,
            history: Sequence[str] | None = None, doc_id: str | None = None, kind: str | None = None) -> Answer:
        from ingest.index import Filters

        q = clean_question(question)
        if duty:
            get_duty(duty)  # raises a clear error for an unknown id
        if k is not None and not 1 <= k <= 50:
            raise InputError("--k must be between 1 and 50.")
        if not self.manifest.doc_ids():
            raise InputError("The index is empty. Run 'jfp ingest' first (no path ingests the shipped corpus).")
        doc_id = self.document_id(doc_id) if doc_id else None
        if kind and kind not in DOC_KINDS:
            raise InputError(f"There is no document kind '{kind}'. The kinds are: {', '.join(DOC_KINDS)}.")
        asked = q
        duties = duties_in_question(q)[:2]
        previous = [clean_question(h) for h in (history or []) if h and str(h).strip()]
        if duty and not duties:
            # "What should we include?" with a duty chosen: a question about that duty, not a
            # follow-up to the turn before
            asked = f"{q} ({get_duty(duty).title})"
        elif previous and is_follow_up(q):
            asked = f"{previous[-1]} {q}"
            duties = list(dict.fromkeys(duties + duties_in_question(previous[-1])[:2]))[:3]
        query = self.question_query(asked)
        if asked != q:  # a follow-up: what it adds ("and for children?") weighs more than the turn before
            query = query.leaning_to(self.question_query(q), self.settings.follow_up_weight)
        retrieval_query = query.text
        if duty:
            duties = [duty] + [d for d in duties if d != duty]
        qv = query.vector
        named = self.retriever.named_documents(retrieval_query)
        # "what does the Arden & GEM blog recommend?": answered from that document as a whole
        overview = asked == q and asks_for_overview(q, self._corpus_stats().document_names, len(named))
        filters = Filters(doc_id=doc_id or (named[0] if overview else None), kind=kind)
        retrieved = self.retriever.retrieve(retrieval_query, k=k or self.settings.k, filters=filters,
                                            duties=duties, query_vector=qv)
        from assistant.extractive import LOCAL_KINDS

        names_local = any(self.retriever.document_kind(d) in LOCAL_KINDS for d in named)
        return self.answers.build(q, retrieved, query.sentence_vector, duty_ids=tuple(duties), focus=retrieval_query,
                                  names_local=names_local, named_docs=frozenset(named), overview=overview)

    # --- governance ----------------------------------------------------------------------------
    def requirements(self, duty_id: str, limit: int | None = None):
        """What the guidance requires for one duty: the ``limit`` closest requirements (default 18)."""
        from assistant.requirements import find_requirements

        duty = get_duty(duty_id)
        if limit is not None and not 1 <= limit <= 200:
            raise InputError("--limit must be between 1 and 200.")
        if not self.manifest.doc_ids():
            raise InputError("The index is empty. Run 'jfp ingest' first (no path ingests the shipped corpus).")
        return find_requirements(duty, self.retriever, self.embedder, **({"limit": limit} if limit else {}))

    # --- drafting and coverage (implemented in assistant/draft.py and assistant/coverage.py) ---
    def draft(self, duty_id: str):
        """A first draft of the plan section for one duty (a ``Draft``)."""
        from assistant.draft import build_draft

        return build_draft(self, get_duty(duty_id))

    def draft_plan(self, *, progress=None):
        """A whole-plan skeleton: one drafted section per duty and content area, in plan order.
        ``progress(duty)`` is called as each section starts."""
        from assistant.draft import build_plan

        return build_plan(self, progress=progress)

    def check(self, plan_path: Path, *, progress=None):
        """A duty-by-duty coverage report on a draft plan (the plan is not added to the index)."""
        from assistant.coverage import check_plan

        return check_plan(self, Path(plan_path), progress=progress)
