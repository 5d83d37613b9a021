"""A scripted LLM server on loopback, speaking OpenAI's or Anthropic's wire format.

Tests drive real providers over real HTTP against it: they queue the replies the "model"
gives (``reply``/``fail``), run the code under test with ``url`` as the base_url, then
read ``requests`` to see what was sent. Streaming requests get a genuine chunked SSE
stream, cut into several pieces, so incremental parsing is exercised too.

    with FakeLLMServer("anthropic") as server:
        server.reply(content="Hello!", usage=(12, 3))
        ...ProviderConfig(name="anthropic", kind="anthropic", base_url=server.url)...
        assert server.requests[0]["json"]["model"] == "claude-x"
"""

from orch8_nb.testing.fake_llm._anthropic import anthropic_body, anthropic_stream
from orch8_nb.testing.fake_llm._openai import openai_body, openai_stream
from orch8_nb.testing.fake_llm._reply import PATHS, Reply, error_body
from orch8_nb.testing.fake_llm._server import FakeLLMServer

__all__ = [
    "PATHS",
    "FakeLLMServer",
    "Reply",
    "anthropic_body",
    "anthropic_stream",
    "error_body",
    "openai_body",
    "openai_stream",
]
