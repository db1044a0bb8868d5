"""Sentence vectors are computed once at ingest, stored with the chunks, used at answer time and
removed with their document. The real model throughout; a counting wrapper shows what it is asked."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.chunk_sentences import contexts_digest, sentences_of

ESTATES = (
    "# Estates\n\n## Our estate plan\n\n"
    "We will consolidate our estate and cut its carbon emissions by sharing buildings across partners. "
    "Every new building must meet the net zero carbon standard set out in the NHS estates guidance. "
    "Partners will publish one estates strategy for the whole system by March 2025.\n\n"
    "## Digital\n\n"
    "We will give every resident access to their shared care record through the NHS App. "
    "Clinicians in primary care should see hospital results within one working day of the test.\n"
)
WORKFORCE = (
    "# Workforce\n\n"
    "We will recruit and retain staff through one workforce approach across all partners. "
    "Each trust must offer flexible working to every member of staff from their first day.\n"
)


class CountingEmbedder:
    """The real embedder, counting what it is asked to embed."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name, self.dimension, self.model_path = inner.name, inner.dimension, inner.model_path
        self.documents: list[list[str]] = []
        self.queries: list[str] = []

    def embed_documents(self, texts):
        self.documents.append(list(texts))
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        self.queries.append(text)
        return self.inner.embed_query(text)

    def reset(self) -> None:
        self.documents.clear()
        self.queries.clear()


@pytest.fixture
def counted(service):
    from ingest.embedding import load_embedder

    s = service.settings
    emb = CountingEmbedder(load_embedder(s.embedding_model, s.embedding_batch_size))
    service.__dict__["embedder"] = emb  # before the index, ingestor and answerer are built from it
    return service, emb


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def stored_rows(service) -> int:
    return service.manifest._conn().execute("SELECT COUNT(*) FROM sentence_vectors").fetchone()[0]


def test_ingest_stores_the_vectors_of_exactly_the_sentences_the_answerer_scores(counted, tmp_path):
    service, emb = counted
    service.ingest([write(tmp_path / "estates.md", ESTATES)])
    chunks = service.manifest.chunks()
    stored = service.manifest.sentence_vectors([c.chunk_id for c in chunks], emb.name)
    assert set(stored) == {c.chunk_id for c in chunks if sentences_of(c)}
    for c in chunks:
        digest, matrix = stored[c.chunk_id]
        contexts = [s.context for s in sentences_of(c)]
        assert digest == contexts_digest(contexts) and matrix.shape == (len(contexts), emb.dimension)
        fresh = emb.inner.embed_documents(contexts)
        cosines = np.sum(matrix.astype(np.float32) * fresh, axis=1)
        assert cosines.min() > 0.999  # float16 storage, same texts, same model
    assert service.manifest.sentence_vectors([c.chunk_id for c in chunks], "another-model") == {}


def test_answering_embeds_only_the_question(counted, tmp_path):
    service, emb = counted
    service.ingest([write(tmp_path / "estates.md", ESTATES)])
    emb.reset()
    question = "What standard must new buildings in the estate meet?"
    stored_answer = service.ask(question)
    assert emb.documents == [], "no sentence is embedded at answer time"
    assert len(emb.queries) == 1
    assert not stored_answer.abstained and "net zero carbon standard" in stored_answer.answer

    # the same answer as embedding the sentences at answer time (the path an old index takes)
    service.answers.extractive._stored = None
    emb.reset()
    embedded_answer = service.ask(question)
    assert emb.documents, "without stored vectors the answerer embeds the sentences"
    assert embedded_answer.answer == stored_answer.answer


def test_stale_stored_vectors_are_not_used(counted, tmp_path):
    """If the sentence splitting changed since ingest, the stored set no longer matches its digest:
    those sentences are embedded at answer time instead of being scored with the wrong vectors."""
    service, emb = counted
    service.ingest([write(tmp_path / "estates.md", ESTATES)])
    db = service.manifest._conn()
    db.execute("UPDATE sentence_vectors SET digest='stale'")
    emb.reset()
    answer = service.ask("What standard must new buildings in the estate meet?")
    assert emb.documents, "stale vectors were used"
    assert not answer.abstained and "net zero carbon standard" in answer.answer


def test_removing_or_replacing_a_document_removes_its_sentence_vectors(counted, tmp_path):
    service, emb = counted
    a = write(tmp_path / "estates.md", ESTATES)
    b = write(tmp_path / "workforce.md", WORKFORCE)
    service.ingest([a, b])
    docs = {d.source: d.doc_id for d in service.sources()}
    per_doc = {src: service.manifest.chunks(doc_id) for src, doc_id in docs.items()}
    assert stored_rows(service) == sum(1 for cs in per_doc.values() for c in cs if sentences_of(c))

    service.remove(docs["estates.md"])
    gone = [c.chunk_id for c in per_doc["estates.md"]]
    assert service.manifest.sentence_vectors(gone, emb.name) == {}
    assert stored_rows(service) == sum(1 for c in per_doc["workforce.md"] if sentences_of(c))

    # a changed file: its old version's vectors go in the same transaction as its old chunks
    write(b, WORKFORCE.replace("flexible working", "flexible and remote working"))
    rep = service.ingest([b])
    assert rep.updated == 1
    assert service.manifest.sentence_vectors([c.chunk_id for c in per_doc["workforce.md"]], emb.name) == {}
    new = service.manifest.chunks()
    assert stored_rows(service) == sum(1 for c in new if sentences_of(c))
    assert set(service.manifest.sentence_vectors([c.chunk_id for c in new], emb.name)) == {c.chunk_id for c in new}


def test_duty_topic_vectors_are_made_once_beside_the_index_and_remade_when_stale(counted, tmp_path):
    from assistant.duties import all_duties
    from assistant.duty_topics import FILE_NAME, DutyTopics, topic_text

    service, emb = counted
    service.ingest([write(tmp_path / "estates.md", ESTATES)])
    path = service.settings.index_dir / FILE_NAME
    assert path.is_file()
    made = service.duty_topics.ensure()
    assert set(made) == {d.id for d in all_duties()}
    climate = next(d for d in all_duties() if d.id == "climate_change")
    fresh = emb.inner.embed_query(topic_text(climate))
    assert float(made["climate_change"] @ fresh) > 0.999

    emb.reset()  # another process on the same index reads the file
    again = DutyTopics(emb, service.settings.index_dir)
    assert np.allclose(again.vector(["climate_change"]), made["climate_change"])
    assert emb.documents == [] and emb.queries == []

    path.write_bytes(b"not a numpy file")  # damaged: made again, and saved whole
    assert np.allclose(DutyTopics(emb, service.settings.index_dir).vector(["workforce"]), made["workforce"], atol=1e-5)
    assert len(emb.queries) == len(all_duties())
    emb.reset()
    DutyTopics(emb, service.settings.index_dir).ensure()
    assert emb.queries == []

    emb.name = "another-model"  # vectors of another model are not used
    DutyTopics(emb, service.settings.index_dir).ensure()
    assert len(emb.queries) == len(all_duties())
