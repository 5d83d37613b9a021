import time
from typing import Any

from jsonschema import Draft202012Validator

from orch8_nb.model import SequenceDefinition, block_json_schema, sequence_json_schema


def leaf(block_id: str) -> dict[str, str]:
    return {"type": "step", "id": block_id, "handler": "h"}


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = sequence_json_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["name", "blocks"]
    assert schema["properties"]["blocks"]["items"] == {"$ref": "#/$defs/Block"}
    Draft202012Validator.check_schema(block_json_schema())


def test_schema_describes_every_block_type_and_field() -> None:
    defs = sequence_json_schema()["$defs"]
    mapping = defs["Block"]["discriminator"]["mapping"]
    assert sorted(mapping) == sorted(
        ["step", "parallel", "race", "loop", "for_each", "router", "try_catch",
         "sub_sequence", "ab_split", "cancellation_scope", "saga"]
    )  # fmt: skip
    step = defs["StepDef"]
    assert step["required"] == ["type", "id", "handler"]
    assert step["additionalProperties"] is False
    assert list(step["properties"]) == [
        "type",
        "id",
        "handler",
        "params",
        "delay",
        "retry",
        "timeout",
        "rate_limit_key",
        "send_window",
        "context_access",
        "cancellable",
        "wait_for_input",
        "queue_name",
        "deadline",
        "on_deadline_breach",
        "fallback_handler",
        "cache_key",
        "output_schema",
        "when",
        "compensation",
    ]
    for name, model in defs.items():
        for field, prop in model.get("properties", {}).items():
            assert prop.get("description"), f"{name}.{field} has no description"


def test_durations_are_integer_ms() -> None:
    defs = sequence_json_schema()["$defs"]
    assert defs["StepDef"]["properties"]["timeout"]["anyOf"][0] == {"type": "integer", "minimum": 0}
    assert defs["RetryPolicy"]["properties"]["initial_backoff"]["type"] == "integer"


def test_schema_accepts_valid_and_rejects_invalid_sequences() -> None:
    validator = Draft202012Validator(sequence_json_schema())
    samples: list[dict[str, Any]] = [
        {"name": "one", "blocks": [leaf("a")]},
        {
            "name": "nested",
            "version": 2,
            "blocks": [
                {"type": "parallel", "id": "p", "branches": [[leaf("b")], [leaf("c")]]},
                {
                    "type": "saga",
                    "id": "s",
                    "steps": [{"id": "x", "action": leaf("d"), "compensation": leaf("e")}],
                },
                {
                    "type": "router",
                    "id": "r",
                    "routes": [{"condition": "a", "blocks": [leaf("f")]}],
                },
            ],
            "input_schema": {"type": "object"},
            "created_at": "2025-01-01T00:00:00Z",
        },
    ]
    for sample in samples:
        assert list(validator.iter_errors(sample)) == []
        seq = SequenceDefinition.from_json(sample)
        assert list(validator.iter_errors(seq.model_dump(mode="json"))) == []
    assert list(validator.iter_errors({"name": "x", "blocks": [{"type": "step", "id": "a"}]}))
    assert list(validator.iter_errors({"name": "x", "blocks": [{**leaf("a"), "bogus": 1}]}))


def test_schema_is_a_fresh_copy() -> None:
    first = sequence_json_schema()
    first["$defs"].clear()
    assert sequence_json_schema()["$defs"]


def test_parsing_5000_blocks_is_fast() -> None:
    blocks = [
        {
            "type": "parallel",
            "id": f"p{i}",
            "branches": [
                [
                    {
                        **leaf(f"s{i}_{j}"),
                        "retry": {"max_attempts": 3, "initial_backoff": 1000, "max_backoff": 60000},
                        "timeout": "30s",
                    }
                ]
                for j in range(4)
            ],
        }
        for i in range(1000)
    ]
    seq = SequenceDefinition(name="warm", blocks=[leaf("w")])
    text = SequenceDefinition.model_validate({"name": "big", "blocks": blocks}).to_json()
    started = time.perf_counter()
    seq = SequenceDefinition.from_json(text)
    elapsed = time.perf_counter() - started
    assert sum(1 for _ in seq.iter_blocks()) == 5000
    assert elapsed < 1.0, f"from_json of 5000 blocks took {elapsed:.2f}s"
