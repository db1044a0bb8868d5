"""The OpenAI-compatible chat model, run end to end against a loopback server speaking the real protocol."""

from __future__ import annotations

import time

import openai
import pytest
from llm_server import FakeOpenAIServer, unreachable_base_url

from assistant.config import Settings
from assistant.errors import LLMError
from assistant.llm import ChatModel, OpenAICompatibleChat, RecordingChat, build_chat_model

MESSAGES = [
    {"role": "system", "content": "Answer from the sources only."},
    {"role": "user", "content": "What must the plan say about climate change?"},
]


def chat_for(srv: FakeOpenAIServer, **kwargs) -> OpenAICompatibleChat:
    return OpenAICompatibleChat(srv.base_url, "test-model", **{"timeout": 5.0, **kwargs})


def test_completion_returns_the_reply_and_sends_messages_and_model():
    with FakeOpenAIServer(mode="ok", reply="It must set out net zero commitments [1].") as srv:
        reply = chat_for(srv).complete(MESSAGES, max_tokens=300, temperature=0.0)

    assert reply == "It must set out net zero commitments [1]."
    [sent] = srv.requests
    assert sent["model"] == "test-model"
    assert sent["messages"] == MESSAGES
    assert sent["max_tokens"] == 300
    assert sent["temperature"] == 0.0


def test_reply_can_depend_on_the_messages_sent():
    with FakeOpenAIServer(reply=lambda messages: messages[-1]["content"].upper()) as srv:
        assert chat_for(srv).complete([{"role": "user", "content": "echo"}]) == "ECHO"


def test_slow_endpoint_raises_llm_error_within_the_timeout():
    with FakeOpenAIServer(mode="slow", delay=5.0) as srv:
        chat = chat_for(srv, timeout=1.0)
        start = time.monotonic()
        with pytest.raises(LLMError, match="did not answer within 1 s") as info:
            chat.complete(MESSAGES)
        elapsed = time.monotonic() - start

    assert elapsed < 4.0
    assert "extractive" in info.value.message


def test_server_error_raises_llm_error():
    with FakeOpenAIServer(mode="error500") as srv, pytest.raises(LLMError, match="server error \\(HTTP 500"):
        chat_for(srv).complete(MESSAGES)


def test_non_json_reply_raises_llm_error():
    with FakeOpenAIServer(mode="garbage") as srv, pytest.raises(LLMError, match="unusable reply"):
        chat_for(srv).complete(MESSAGES)


def test_reply_without_choices_raises_llm_error():
    with FakeOpenAIServer(mode="empty") as srv, pytest.raises(LLMError, match="unusable reply: it has no choices"):
        chat_for(srv).complete(MESSAGES)


def test_rejected_api_key_raises_llm_error_naming_the_key():
    with FakeOpenAIServer(mode="unauthorized") as srv, pytest.raises(LLMError) as info:
        chat_for(srv, api_key="sk-wrong-key").complete(MESSAGES)

    assert "API key" in info.value.message
    assert "JFP_LLM_API_KEY" in info.value.message
    assert "sk-wrong-key" not in info.value.message


def test_unknown_model_raises_llm_error_naming_the_model():
    with FakeOpenAIServer(mode="not_found") as srv, pytest.raises(LLMError, match="model 'test-model' was not found"):
        chat_for(srv).complete(MESSAGES)


def test_dead_endpoint_raises_llm_error_saying_it_could_not_reach():
    with unreachable_base_url() as url:
        chat = OpenAICompatibleChat(url, "test-model", timeout=5.0)
        start = time.monotonic()
        with pytest.raises(LLMError) as info:
            chat.complete(MESSAGES)

    assert time.monotonic() - start < 2.0
    assert info.value.message.startswith(f"Could not reach the language model at {url}: connection refused")
    assert "extractive mode" in info.value.message


def test_build_chat_model_returns_none_without_base_url():
    assert build_chat_model(Settings(llm_base_url=None)) is None


def test_build_chat_model_uses_the_configured_model_and_key():
    with FakeOpenAIServer(reply="ok") as srv:
        settings = Settings(llm_base_url=srv.base_url, llm_model="llama3.1", llm_api_key="sk-test", llm_timeout=5)
        chat = build_chat_model(settings)
        assert chat is not None
        chat.complete(MESSAGES)

    assert isinstance(chat, ChatModel)
    assert chat.name == "llm:llama3.1"
    assert srv.requests[0]["model"] == "llama3.1"
    assert srv.headers[0]["authorization"] == "Bearer sk-test"


def test_azure_endpoint_gets_the_azure_client_with_an_api_version():
    chat = OpenAICompatibleChat("https://example.openai.azure.com", "gpt-4o", api_key="k", api_version="2024-10-21")

    assert isinstance(chat._client, openai.AzureOpenAI)
    assert chat._client._api_version == "2024-10-21"


def test_recording_chat_returns_scripted_replies_and_records_messages():
    chat = RecordingChat(["first", "second"])

    assert chat.complete(MESSAGES) == "first"
    assert chat.complete([{"role": "user", "content": "again"}], max_tokens=50) == "second"
    assert chat.messages == [MESSAGES, [{"role": "user", "content": "again"}]]
    assert chat.calls[1].max_tokens == 50


def test_recording_chat_raises_a_scripted_error():
    chat = RecordingChat([LLMError("The language model is down.")])

    with pytest.raises(LLMError, match="down"):
        chat.complete(MESSAGES)
