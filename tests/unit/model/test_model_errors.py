import uuid
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from orch8_nb.errors import InputValidationError, Problem, SequenceValidationError
from orch8_nb.model import SequenceDefinition, SequenceStatus, StepDef, loc_to_path
from orch8_nb.model.paths import join_path


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        (("blocks", 0, "step", "retry"), "blocks[0].retry"),
        (("blocks", 0, "step", "retry", "max_attempts"), "blocks[0].retry.max_attempts"),
        (
            ("blocks", 0, "parallel", "branches", 1, 0, "step", "handler"),
            "blocks[0].branches[1][0].handler",
        ),
        (("blocks", 2, "saga", "steps", 0, "action", "step", "id"), "blocks[2].steps[0].action.id"),
        (
            ("blocks", 2, "saga", "steps", 0, "compensation", "loop", "body"),
            "blocks[2].steps[0].compensation.body",
        ),
        (("blocks", 0, "step", "compensation", "handler"), "blocks[0].compensation.handler"),
        (("step", "handler"), "handler"),
        (("metadata", "k", "[key]"), "metadata.k"),
        (("x", "function-after[f(), int]"), "x"),
        ((), ""),
    ],
)
def test_loc_to_path(loc: tuple[int | str, ...], path: str) -> None:
    assert loc_to_path(loc) == path


def test_loc_to_path_with_prefix() -> None:
    assert loc_to_path(("step", "handler"), "blocks[3]") == "blocks[3].handler"
    assert loc_to_path((0, "step", "id"), "blocks") == "blocks[0].id"
    assert join_path("a", "[1].b") == "a[1].b"
    assert join_path("", "b") == "b"
    assert join_path("a", "") == "a"


def test_plain_construction_raises_sequence_validation_error() -> None:
    with pytest.raises(SequenceValidationError) as info:
        SequenceDefinition(name="n", blocks=[{"type": "step", "id": "a", "handler": ""}])
    assert not isinstance(info.value, ValidationError)
    assert info.value.paths == ["blocks[0].handler"]
    assert info.value.problems == (Problem("blocks[0].handler", "must not be empty"),)
    assert "blocks[0].handler: must not be empty" in str(info.value)


def test_tree_problems_also_raise_from_plain_construction() -> None:
    with pytest.raises(SequenceValidationError) as info:
        SequenceDefinition(name="n", blocks=[StepDef(id="a", handler="h")] * 2)
    assert info.value.paths == ["blocks[1].id"]


def test_malformed_json_text() -> None:
    with pytest.raises(SequenceValidationError) as info:
        SequenceDefinition.from_json('{"name": "n", "blocks": [')
    assert info.value.paths == [""]
    assert info.value.problems[0].message.startswith("malformed JSON: Expecting value")


def test_non_utf8_bytes() -> None:
    with pytest.raises(SequenceValidationError) as info:
        SequenceDefinition.from_json(b"\xff\xfe{")
    assert info.value.paths == [""]


def test_json_that_is_not_an_object() -> None:
    with pytest.raises(SequenceValidationError) as info:
        SequenceDefinition.from_json("[1, 2]")
    assert info.value.paths == [""]


def test_mapping_input_is_accepted() -> None:
    from types import MappingProxyType

    data = MappingProxyType({"name": "n", "blocks": [{"type": "step", "id": "a", "handler": "h"}]})
    assert SequenceDefinition.from_json(data).name == "n"


def test_model_validate_stays_pydantic() -> None:
    # The raw path the engine uses for rows it wrote itself.
    with pytest.raises(ValidationError):
        SequenceDefinition.model_validate({"name": "n", "blocks": []})


def test_errors_are_value_errors_for_generic_handling() -> None:
    with pytest.raises(ValueError, match="invalid sequence"):
        SequenceDefinition.from_json({"name": "n"})
    with pytest.raises(InputValidationError):
        SequenceDefinition.from_json({"name": "n"})


def test_defaults_for_python_built_sequences() -> None:
    a = SequenceDefinition(name="n", blocks=[StepDef(id="a", handler="h")])
    b = SequenceDefinition(name="n", blocks=[StepDef(id="a", handler="h")])
    assert uuid.UUID(a.id).version == 4
    assert a.id != b.id
    assert (a.tenant_id, a.namespace, a.version, a.created_at) == ("default", "default", None, None)
    assert a.status is SequenceStatus.PRODUCTION
    assert a.deprecated is False
    assert a.on_failure == [] and a.on_cancel == []
    dumped = a.model_dump(mode="json")
    assert "version" not in dumped and "created_at" not in dumped
    assert list(dumped)[:4] == ["id", "tenant_id", "namespace", "name"]


def test_uuid_and_timestamp_normalisation() -> None:
    raw = uuid.UUID("12345678-1234-5678-1234-567812345678")
    seq = SequenceDefinition(
        id=str(raw).upper(),
        name="n",
        blocks=[StepDef(id="a", handler="h")],
        created_at="2025-03-04T05:06:07+02:00",
    )
    assert seq.id == str(raw)
    assert seq.created_at == datetime(2025, 3, 4, 3, 6, 7, tzinfo=UTC)
    assert seq.model_dump(mode="json")["created_at"] == "2025-03-04T03:06:07Z"
    assert SequenceDefinition(id=raw, name="n", blocks=[StepDef(id="a", handler="h")]).id == str(
        raw
    )
