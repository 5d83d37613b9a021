"""Model providers behind one interface, and the table of providers known by name.

``openai`` and the other hosted OpenAI-compatible services, plus local servers (Ollama,
vLLM, LM Studio) speak the Chat Completions protocol; ``anthropic`` speaks Messages. Any
name with a ``base_url`` works as an OpenAI-compatible server. API keys come from
environment variables (``api_key_env``, or the provider's usual variable).
"""

from __future__ import annotations

from dataclasses import dataclass

from orch8_nb.agents.providers.base import OnDelta, Provider, ProviderConfig, ProviderError
from orch8_nb.agents.providers.scripted import ScriptedProvider


@dataclass(frozen=True, slots=True)
class KnownProvider:
    kind: str
    base_url: str
    #: Environment variable holding the key; ``None``: a local server that needs none.
    key_env: str | None


KNOWN: dict[str, KnownProvider] = {
    "openai": KnownProvider("openai", "https://api.openai.com/v1", "OPENAI_API_KEY"),
    "anthropic": KnownProvider("anthropic", "https://api.anthropic.com", "ANTHROPIC_API_KEY"),
    "gemini": KnownProvider(
        "openai", "https://generativelanguage.googleapis.com/v1beta/openai", "GEMINI_API_KEY"
    ),
    "deepseek": KnownProvider("openai", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY"),
    "qwen": KnownProvider(
        "openai", "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", "DASHSCOPE_API_KEY"
    ),
    "perplexity": KnownProvider("openai", "https://api.perplexity.ai", "PERPLEXITY_API_KEY"),
    "groq": KnownProvider("openai", "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
    "together": KnownProvider("openai", "https://api.together.xyz/v1", "TOGETHER_API_KEY"),
    "mistral": KnownProvider("openai", "https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
    "openrouter": KnownProvider("openai", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
    "ollama": KnownProvider("openai", "http://localhost:11434/v1", None),
    "lmstudio": KnownProvider("openai", "http://localhost:1234/v1", None),
    "vllm": KnownProvider("openai", "http://localhost:8000/v1", None),
}


def http_provider(config: ProviderConfig) -> Provider:
    """The HTTP client for a configured provider."""
    if config.kind == "anthropic":
        from orch8_nb.agents.providers.anthropic import AnthropicProvider

        return AnthropicProvider(config)
    from orch8_nb.agents.providers.openai import OpenAIProvider

    return OpenAIProvider(config)


__all__ = [
    "KNOWN",
    "KnownProvider",
    "OnDelta",
    "Provider",
    "ProviderConfig",
    "ProviderError",
    "ScriptedProvider",
    "http_provider",
]
