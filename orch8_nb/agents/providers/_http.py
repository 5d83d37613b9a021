"""What the HTTP providers share: one POST (whole or streamed) and one way of failing.

Every failure leaves here as a :class:`ProviderError` naming the provider and the URL, so
the retry and failover layers above can decide from ``retryable``/``kind`` alone and a
person reading the message knows which endpoint misbehaved.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from orch8_nb.agents.chat import ChatResponse, Usage
from orch8_nb.agents.providers.base import ProviderConfig, ProviderError

#: Statuses worth trying again: request timeout, conflict (OpenAI uses it for transient
#: locks), rate limit; every 5xx (Anthropic's 529 "overloaded" included) is added below.
_RETRYABLE_STATUSES = frozenset({408, 409, 429})

#: Receives one server-sent event (its ``event:`` name or None, and its joined data);
#: returns True once the answer is complete, to stop reading.
OnEvent = Callable[[str | None, str], bool]


def endpoint(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def protocol_error(config: ProviderConfig, url: str, detail: str) -> ProviderError:
    # Retryable: a garbled answer is usually a proxy or a server having a bad moment.
    return ProviderError(
        f"{config.name}: could not understand the answer from {url}: {detail}",
        retryable=True,
        kind="protocol",
    )


def decode_json(config: ProviderConfig, url: str, text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise protocol_error(config, url, f"invalid JSON ({exc}): {text[:200]!r}") from exc


def parse_arguments(raw: Any) -> dict[str, Any]:
    """Tool arguments as an object; text that is not one is kept under ``_raw`` so the
    agent loop can show the model what it sent instead of failing the whole call."""
    if isinstance(raw, dict):
        return raw
    if raw is None:
        return {}
    text = raw if isinstance(raw, str) else json.dumps(raw)
    if not text.strip():
        return {}  # a tool without parameters, streamed as no fragments at all
    try:
        value = json.loads(text)
    except ValueError:
        return {"_raw": text}
    return value if isinstance(value, dict) else {"_raw": text}


def assistant_answer(
    content: str | None,
    calls: list[dict[str, Any]],
    wire_reason: Any,
    usage: Usage,
    model: Any,
    *,
    reasons: Mapping[str, str],
) -> ChatResponse:
    """An answer in our shape, its finish reason translated from the protocol's words
    with ``reasons`` (an unknown one is ``stop``). Tools to run always say ``tool_calls``:
    a forced ``tool_choice`` (or Anthropic's ``pause_turn``) ends with another reason
    although the model called a tool, and callers should not have to look in two places."""
    reason = reasons.get(str(wire_reason), "stop")
    if calls and reason == "stop":
        reason = "tool_calls"
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if calls:
        message["tool_calls"] = calls
    return ChatResponse(message, reason, usage, model if isinstance(model, str) else "")


def as_int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """``Retry-After`` in seconds (OpenAI's ``retry-after-ms`` wins when both are sent);
    an HTTP-date is ignored rather than read against the wall clock."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value.strip()) * scale
        except ValueError:
            continue
        if seconds >= 0:
            return seconds
    return None


def api_error_message(body: str) -> str:
    """The API's own words: ``error.message`` (OpenAI, Anthropic), a bare ``error``
    string (Ollama), else the start of the body."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        if isinstance(error, str):
            return error
        if isinstance(data.get("message"), str):
            return str(data["message"])
    return body[:200].strip() or "(empty body)"


def status_error(config: ProviderConfig, url: str, response: httpx.Response) -> ProviderError:
    status = response.status_code
    retryable = status in _RETRYABLE_STATUSES or status >= 500
    return ProviderError(
        f"{config.name}: HTTP {status} from {url}: {api_error_message(response.text)}",
        retryable=retryable,
        status=status,
        retry_after_s=retry_after_seconds(response.headers) if retryable else None,
        kind="http",
    )


def transport_error(config: ProviderConfig, url: str, exc: Exception) -> ProviderError:
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return ProviderError(
            f"{config.name}: timed out after {config.timeout_s:g}s calling {url}: {detail}",
            retryable=True,
            kind="timeout",
        )
    if isinstance(exc, httpx.DecodingError):
        return protocol_error(config, url, f"undecodable body: {detail}")
    return ProviderError(
        f"{config.name}: could not reach {url}: {detail}", retryable=True, kind="connection"
    )


def _timeout(config: ProviderConfig) -> httpx.Timeout:
    return httpx.Timeout(config.timeout_s)


async def post_json(
    config: ProviderConfig,
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    body: dict[str, Any],
) -> dict[str, Any]:
    """POST ``body`` and return the JSON object answered."""
    try:
        response = await client.post(url, json=body, headers=headers, timeout=_timeout(config))
    except (httpx.TransportError, httpx.DecodingError) as exc:
        raise transport_error(config, url, exc) from exc
    if not response.is_success:
        raise status_error(config, url, response)
    try:
        data = response.json()
    except ValueError as exc:
        raise protocol_error(config, url, f"invalid JSON ({exc}): {response.text[:200]!r}") from exc
    if not isinstance(data, dict):
        raise protocol_error(config, url, f"expected a JSON object, got {response.text[:200]!r}")
    return data


async def post_sse(
    config: ProviderConfig,
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    body: dict[str, Any],
    on_event: OnEvent,
) -> None:
    """POST ``body`` and hand each server-sent event to ``on_event`` as it arrives."""
    headers = {**headers, "accept": "text/event-stream"}
    try:
        async with client.stream(
            "POST", url, json=body, headers=headers, timeout=_timeout(config)
        ) as response:
            if not response.is_success:
                await response.aread()
                raise status_error(config, url, response)
            events = _EventReader()
            async for text in response.aiter_text():
                for event in events.feed(text):
                    if on_event(*event):
                        return
            for event in events.close():
                if on_event(*event):
                    return
    except (httpx.TransportError, httpx.DecodingError) as exc:
        raise transport_error(config, url, exc) from exc


class _EventReader:
    """Incremental server-sent-events parser.

    Lines are split only at CR, LF and CRLF, as the SSE format says: ``aiter_lines`` also
    splits at U+2028 and friends, which JSON may carry unescaped inside a string.
    """

    def __init__(self) -> None:
        self._buffer = ""
        self._event: str | None = None
        self._data: list[str] = []

    def feed(self, text: str) -> list[tuple[str | None, str]]:
        self._buffer += text
        events: list[tuple[str | None, str]] = []
        while True:
            cut = _line_end(self._buffer)
            if cut is None:
                return events
            end, after = cut
            line, self._buffer = self._buffer[:end], self._buffer[after:]
            event = self._line(line)
            if event is not None:
                events.append(event)

    def close(self) -> list[tuple[str | None, str]]:
        """Whatever the stream left undelimited at its end still counts."""
        events = self.feed("\n\n") if self._buffer or self._data else []
        self._buffer = ""
        return events

    def _line(self, line: str) -> tuple[str | None, str] | None:
        if not line:
            if not self._data:
                self._event = None
                return None
            event = (self._event, "\n".join(self._data))
            self._event, self._data = None, []
            return event
        if line.startswith(":"):
            return None  # a comment, sent as a keep-alive
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        return None


def _line_end(buffer: str) -> tuple[int, int] | None:
    """Where the first line of ``buffer`` ends and the next begins, if it is complete."""
    lf = buffer.find("\n")
    cr = buffer.find("\r")
    if cr == -1 or (lf != -1 and lf < cr):
        return None if lf == -1 else (lf, lf + 1)
    if cr == len(buffer) - 1:
        return None  # the LF of a CRLF may be in the next piece
    return (cr, cr + 2) if buffer[cr + 1] == "\n" else (cr, cr + 1)
