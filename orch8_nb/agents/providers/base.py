"""The one interface every model provider implements, and how providers fail.

A provider turns a :class:`ChatRequest` into a :class:`ChatResponse` with one HTTP call
(or none: the scripted provider). Retrying, failover, timeouts across providers,
cassettes and accounting all live above this interface, so a provider stays small.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import httpx

from orch8_nb.agents.chat import ChatRequest, ChatResponse

#: Receives each piece of assistant text as it streams in.
OnDelta = Callable[[str], None]


class ProviderError(Exception):
    """A provider call that did not produce an answer.

    ``retryable`` is true for rate limits (429), server errors (5xx), timeouts,
    connection failures and answers cut off or garbled in transit (``protocol``); false
    for bad requests and bad keys.
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        status: int | None = None,
        retry_after_s: float | None = None,
        kind: str = "http",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.status = status
        self.retry_after_s = retry_after_s
        #: ``http``, ``timeout``, ``connection``, ``protocol`` (answer not understood), ``config``.
        self.kind = kind


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    """Where and how to reach one provider (one entry of ``providers``)."""

    #: The provider's name as written in params: ``openai``, ``anthropic``, ``ollama``...
    name: str
    #: Wire protocol: ``openai`` (chat completions), ``anthropic`` (messages) or ``scripted``.
    kind: str
    base_url: str
    api_key: str | None = None
    model: str | None = None
    #: Seconds one call to this provider may take, connect to last byte (a slow stream too).
    timeout_s: float = 60.0
    #: The environment variable a key was expected in, when none was found: calling fails
    #: then, but a recorded answer can still be replayed without one.
    missing_key_env: str | None = None


class Provider(Protocol):
    config: ProviderConfig

    async def complete(
        self,
        request: ChatRequest,
        client: httpx.AsyncClient,
        on_delta: OnDelta | None = None,
    ) -> ChatResponse:
        """One call. Streams when ``request.stream`` (calling ``on_delta`` per text piece)
        and still returns the whole answer. Raises :class:`ProviderError`."""
        ...
