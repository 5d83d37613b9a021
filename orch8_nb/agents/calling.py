"""One model call as the engine makes it: cassette first, then each provider in turn
with retries on rate limits and server errors, under a total time limit; every attempt
accounted for in the audit log.

Audit rows (``llm_call``) carry provider, model, tokens, cost, latency, whether the
answer came from a recording, and the error of a failed attempt. They commit with the
step's result, or earlier with the agent's per-turn progress.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NoReturn

from orch8_nb.agents.cassette import CassetteMiss, cassette_key, request_summary
from orch8_nb.agents.chat import ChatRequest, ChatResponse
from orch8_nb.agents.providers import ProviderConfig, ProviderError, ScriptedProvider
from orch8_nb.engine.clock import perf_counter, real_delay
from orch8_nb.engine.handlers import FailStep, RetryStep, StepContext

if TYPE_CHECKING:
    from orch8_nb.agents.services import AgentServices

#: Backoff between retries of one provider when it gives no ``Retry-After``: 0.5 s, 1 s...
BASE_BACKOFF_S = 0.5
MAX_BACKOFF_S = 20.0


@dataclass(slots=True)
class CallResult:
    response: ChatResponse
    provider: str
    model: str
    cached: bool
    latency_ms: float
    cost_microunits: int
    priced: bool

    def usage_json(self) -> dict[str, Any]:
        return {**self.response.usage.to_json(), "cost_microunits": self.cost_microunits,
                "priced": self.priced}  # fmt: skip


async def call_model(
    kit: AgentServices,
    ctx: StepContext,
    providers: list[ProviderConfig],
    request: ChatRequest,
    *,
    total_timeout_s: float = 120.0,
    max_retries: int = 2,
    purpose: str = "call",
) -> CallResult:
    """The answer to ``request`` from the first provider that gives one.

    Raises ``FailStep`` (strict-mode miss, or every provider refused for good) or
    ``RetryStep`` (every provider failed but some only for now: the step's retry policy
    decides what happens next).
    """
    mode = kit.mode
    keys = [cassette_key(p.name, _for(p, request)) for p in providers]
    if mode in ("replay", "strict"):
        for config, key in zip(providers, keys, strict=True):
            record = await kit.store.get(key)
            if record is not None:
                return await _replayed(kit, ctx, config, _for(config, request), record, purpose)
        if mode == "strict":
            raise FailStep(
                str(_miss(providers, request, kit.store.where)),
                code="cassette_miss",
                details={"keys": keys, "model": request.model},
            )
    started = perf_counter()
    failures: list[dict[str, Any]] = []
    for config, key in zip(providers, keys, strict=True):
        call = _for(config, request)
        for attempt in range(max_retries + 1):
            left = total_timeout_s - (perf_counter() - started)
            if left <= 0:
                used_up = f"total_timeout_secs ({total_timeout_s:g}) used up"
                failures.append(_failure(config, call, attempt, "timeout", used_up, True))
                _give_up(failures)
            timed = replace(config, timeout_s=min(config.timeout_s, left))
            try:
                result = await _attempt(kit, ctx, timed, call, purpose)
            except ProviderError as exc:
                failure = _failure(config, call, attempt, exc.kind, exc.message, exc.retryable)
                if exc.status is not None:
                    failure["status"] = exc.status
                failures.append(failure)
                _audit(ctx, "llm_call", {**failure, "purpose": purpose, "ok": False})
                if not exc.retryable or attempt == max_retries:
                    break  # the next provider, if any
                wait = exc.retry_after_s
                if wait is None:
                    wait = min(BASE_BACKOFF_S * 2**attempt, MAX_BACKOFF_S)
                await real_delay(min(wait, max(total_timeout_s - (perf_counter() - started), 0)))
                continue
            if mode in ("record", "replay"):
                await kit.store.put({
                    "key": key, "provider": config.name, "model": call.model,
                    "request": request_summary(call), "response": result.response.to_json(),
                    "recorded_at": ctx.clock.now_ms() if ctx.clock else 0,
                })  # fmt: skip
            return result
    _give_up(failures)


def _for(config: ProviderConfig, request: ChatRequest) -> ChatRequest:
    """The request as sent to one provider (a failover entry may name its own model)."""
    return request if not config.model else replace(request, model=config.model)


async def _attempt(
    kit: AgentServices,
    ctx: StepContext,
    config: ProviderConfig,
    request: ChatRequest,
    purpose: str,
) -> CallResult:
    if config.missing_key_env is not None:
        raise ProviderError(
            f"{config.name}: no API key: set the environment variable {config.missing_key_env}",
            retryable=False,
            kind="config",
        )
    provider = kit.provider(config)
    streamed: list[str] = []

    def on_delta(text: str) -> None:
        streamed.append(text)
        if ctx.emit is not None:
            ctx.emit("llm_delta", {"text": text, "provider": config.name, "purpose": purpose})

    started = perf_counter()
    deltas = on_delta if request.stream else None
    try:
        async with asyncio.timeout(config.timeout_s):  # the whole call, a slow stream too
            if isinstance(provider, ScriptedProvider):  # no network, no client
                response = await provider.complete(request, None, deltas, pace=kit.replay_pace)
            else:
                async with kit.http_client(config.timeout_s) as client:
                    response = await provider.complete(request, client, deltas)
    except TimeoutError:
        raise ProviderError(
            f"{config.name}: no complete answer within {config.timeout_s:g} s",
            retryable=True,
            kind="timeout",
        ) from None
    latency = (perf_counter() - started) * 1000
    result = _result(kit, config, request, response, cached=False, latency_ms=latency)
    _audit(ctx, "llm_call", _details(result, purpose, streamed=bool(streamed)))
    return result


async def _replayed(
    kit: AgentServices,
    ctx: StepContext,
    config: ProviderConfig,
    request: ChatRequest,
    record: dict[str, Any],
    purpose: str,
) -> CallResult:
    """A recorded answer; streamed again piece by piece when the call streams (at
    ``kit.replay_pace`` characters per second, or all at once)."""
    response = ChatResponse.from_json(record["response"])
    if request.stream and ctx.emit is not None and response.content:
        for piece in _pieces(response.content):
            ctx.emit("llm_delta", {"text": piece, "provider": config.name, "purpose": purpose})
            if kit.replay_pace:
                await real_delay(len(piece) / kit.replay_pace)
    result = _result(kit, config, request, response, cached=True, latency_ms=0.0)
    _audit(ctx, "llm_call", _details(result, purpose, streamed=False))
    return result


def _pieces(text: str, size: int = 24) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _result(
    kit: AgentServices,
    config: ProviderConfig,
    request: ChatRequest,
    response: ChatResponse,
    *,
    cached: bool,
    latency_ms: float,
) -> CallResult:
    model = response.model or request.model
    cost = kit.prices.cost_microunits(model, response.usage)
    if cost is None and model != request.model:
        cost = kit.prices.cost_microunits(request.model, response.usage)
    return CallResult(response, config.name, model, cached, round(latency_ms, 3),
                      cost or 0, cost is not None)  # fmt: skip


def _details(result: CallResult, purpose: str, *, streamed: bool) -> dict[str, Any]:
    return {
        "ok": True,
        "purpose": purpose,
        "provider": result.provider,
        "model": result.model,
        "cached": result.cached,
        "latency_ms": result.latency_ms,
        "finish_reason": result.response.finish_reason,
        "tool_calls": len(result.response.tool_calls),
        "streamed": streamed,
        **result.usage_json(),
    }


def _failure(
    config: ProviderConfig,
    request: ChatRequest,
    attempt: int,
    kind: str,
    message: str,
    retryable: bool,
) -> dict[str, Any]:
    return {"provider": config.name, "model": request.model, "attempt": attempt, "kind": kind,
            "error": message, "retryable": retryable}  # fmt: skip


def _audit(ctx: StepContext, kind: str, details: dict[str, Any]) -> None:
    if ctx.progress is not None:
        ctx.progress.audit(kind, details)


def _give_up(failures: list[dict[str, Any]]) -> NoReturn:
    last = failures[-1]
    summary = "; ".join(f"{f['provider']}: {f['error']}" for f in failures[-3:])
    message = f"no provider answered ({len(failures)} failed attempts): {summary}"
    if any(f["retryable"] for f in failures):
        raise RetryStep(message, details={"attempts": failures}, code="llm_unavailable")
    raise FailStep(message, details={"attempts": failures}, code=f"llm_{last['kind']}")


def _miss(providers: list[ProviderConfig], request: ChatRequest, where: str) -> CassetteMiss:
    last = request.messages[-1] if request.messages else {}
    text = str(last.get("content") or "")[:80]
    names = ", ".join(p.name for p in providers)
    return CassetteMiss(
        f"cassette miss in strict mode: no recording in {where} for {names} / "
        f"{request.model} with these messages (last: {last.get('role', '?')} {text!r}); "
        f"record it once with engine.llm.mode = 'record' (or 'replay')"
    )
