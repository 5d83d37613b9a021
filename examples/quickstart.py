"""Quickstart: define a sequence in Python, run instances on the embedded SQLite default.

    python examples/quickstart.py

Data lands in ./orch8.db (the default), so a second run finds the first run's instances
and reuses the same sequence version. Delete the file to start over.
"""

from __future__ import annotations

import random

import orch8_nb as o8

engine = o8.Engine()  # SQLite file ./orch8.db, engine loop in a background thread


@engine.handler("fetch_price")
def fetch_price(ctx: o8.StepContext) -> dict[str, float]:
    """Pretend to call a flaky pricing API: fails on the first attempt, now and then."""
    if ctx.attempt == 0 and random.random() < 0.3:
        raise o8.RetryStep("pricing API timed out")
    return {"price": round(9.5 + len(ctx.params["sku"]) * 0.25, 2)}


@engine.handler("quote")
def quote(ctx: o8.StepContext) -> dict[str, object]:
    qty, price = ctx.params["qty"], ctx.params["price"]
    return {"sku": ctx.params["sku"], "total": round(qty * price, 2)}


order_quote = o8.sequence(
    "order-quote",
    o8.step(
        "price",
        "fetch_price",
        params={"sku": "{{ data.sku }}"},
        retry=o8.retry(3, initial_backoff="50ms", max_backoff="1s"),
        timeout="5s",
    ),
    o8.step(
        "quote",
        "quote",
        params={
            "sku": "{{ data.sku }}",
            "qty": "{{ data.qty }}",
            "price": "{{ outputs.price.price }}",
        },
    ),
    o8.step(
        "log", "log", params={"message": "quoted {{ outputs.quote.total }} for {{ data.sku }}"}
    ),
)

registered = engine.upsert_sequence(order_quote)
print(f"sequence {registered.name!r} version {registered.version}")

orders = [{"sku": "tea", "qty": 3}, {"sku": "coffee", "qty": 1}, {"sku": "cocoa", "qty": 12}]
instances = [engine.create_instance(registered, order) for order in orders]
for inst in instances:
    inst.wait(timeout=30)
    attempts = sum(1 for row in inst.output_rows() if row.block_id == "price")
    print(f"  {inst.data['sku']:<7} {inst.state:<9} total={inst.outputs['quote']['total']:<7} "
          f"price attempts={attempts}")  # fmt: skip

print("instances in orch8.db by state:", engine.counts())
engine.shutdown()
