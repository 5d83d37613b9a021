"""What a model call cost, from a price table the user can extend.

Prices are US dollars per million tokens, which is the same number as micro-dollars per
token, so ``cost_microunits = input_tokens * input_price + output_tokens * output_price``
(rounded). The built-in rows are list prices at the time of writing and will drift: set
your own with ``engine.llm.prices.set("my-model", input=0.5, output=1.5)``. A model is
matched exactly, else by the longest known prefix (``gpt-4o-mini-2024-07-18`` uses
``gpt-4o-mini``); an unknown model costs 0 and its usage says ``"priced": false``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from orch8_nb.agents.chat import Usage


@dataclass(frozen=True, slots=True)
class Price:
    #: Dollars per million input (prompt) tokens.
    input: float
    #: Dollars per million output (completion) tokens.
    output: float


DEFAULT_PRICES: Mapping[str, Price] = {
    "gpt-4o": Price(2.50, 10.00),
    "gpt-4o-mini": Price(0.15, 0.60),
    "gpt-4.1": Price(2.00, 8.00),
    "gpt-4.1-mini": Price(0.40, 1.60),
    "gpt-4.1-nano": Price(0.10, 0.40),
    "o4-mini": Price(1.10, 4.40),
    "claude-3-5-haiku": Price(0.80, 4.00),
    "claude-3-5-sonnet": Price(3.00, 15.00),
    "claude-3-7-sonnet": Price(3.00, 15.00),
    "claude-sonnet-4": Price(3.00, 15.00),
    "claude-opus-4": Price(15.00, 75.00),
    "scripted": Price(0.0, 0.0),
}


class PriceTable:
    def __init__(self, prices: Mapping[str, Price] = DEFAULT_PRICES) -> None:
        self._prices = dict(prices)
        self._lock = threading.Lock()

    def set(self, model: str, *, input: float, output: float) -> None:
        """Set the price of ``model`` (and every model it is a prefix of) per million tokens."""
        if input < 0 or output < 0:
            raise ValueError(f"prices of {model!r} must not be negative")
        with self._lock:
            self._prices[model] = Price(float(input), float(output))

    def get(self, model: str) -> Price | None:
        with self._lock:
            if model in self._prices:
                return self._prices[model]
            prefixes = [m for m in self._prices if model.startswith(m)]
            return self._prices[max(prefixes, key=len)] if prefixes else None

    def cost_microunits(self, model: str, usage: Usage) -> int | None:
        """Micro-dollars for a call, or ``None`` when the model has no price."""
        price = self.get(model)
        if price is None:
            return None
        return round(usage.input_tokens * price.input + usage.output_tokens * price.output)

    def as_dict(self) -> dict[str, dict[str, float]]:
        with self._lock:
            return {
                m: {"input": p.input, "output": p.output} for m, p in sorted(self._prices.items())
            }
