"""Errors as Orch8 returns them: ``{"error": "<message>"}`` with the matching status."""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from orch8_nb.errors import (
    ConflictError,
    InvalidTransitionError,
    NotFoundError,
    Orch8Error,
    PayloadTooLargeError,
    Problem,
    SequenceValidationError,
)

#: Engine errors and their statuses, most specific first; other validation errors: 422.
STATUS: list[tuple[type[Exception], int]] = [
    (NotFoundError, 404),
    (ConflictError, 409),
    (InvalidTransitionError, 400),
    (PayloadTooLargeError, 413),
    (SequenceValidationError, 422),
    (Orch8Error, 422),
]


def error(status: int, message: str, problems: list[Problem] | None = None) -> JSONResponse:
    body: dict[str, object] = {"error": message}
    if problems:
        body["problems"] = [{"path": p.path, "message": p.message} for p in problems]
    return JSONResponse(body, status_code=status)


async def on_engine_error(_: Request, exc: Exception) -> JSONResponse:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return error(status, str(exc), getattr(exc, "problems", None))
    return error(500, "internal error")


async def on_bad_request(_: Request, exc: Exception) -> JSONResponse:
    """Malformed JSON is a 400; a body of the wrong shape a 422 naming each field's path."""
    assert isinstance(exc, RequestValidationError)
    problems: list[Problem] = []
    for e in exc.errors():
        if e.get("type") == "json_invalid":
            return error(400, f"malformed JSON: {e.get('ctx', {}).get('error', e.get('msg'))}")
        path = ".".join(str(p) for p in e.get("loc", ()) if p != "body")
        problems.append(Problem(path or "body", str(e.get("msg"))))
    text = "; ".join(f"{p.path}: {p.message}" for p in problems)
    return error(422, f"invalid request: {text}", problems)


async def on_unstorable(_: Request, exc: Exception) -> JSONResponse:
    """Text that is not valid Unicode (lone surrogates from ``\\udXXX`` escapes) or a
    number too large to store: the request is bad, the server is fine."""
    if isinstance(exc, UnicodeError):
        return error(400, "text in the request is not valid Unicode (a lone surrogate?)")
    return error(400, f"a number in the request is out of range: {exc}")


async def on_http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return error(exc.status_code, str(exc.detail))
