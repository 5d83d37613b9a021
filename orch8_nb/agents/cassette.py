"""Record/replay of model calls, so re-running a notebook, retrying a step or forking an
instance never pays for the same answer twice, and CI can run without a network.

A call's key is a SHA-256 over the provider name, the model, the parameters that decide
the answer (temperature, max_tokens, tool_choice, response_format, system) and hashes of
the messages and tools (see :meth:`ChatRequest.fingerprint`). ``stream`` and ``base_url``
are not part of it: a streamed and a plain call get the same answer, and a recording made
against one server replays against another.

Modes:

- ``live``: always call the model, record nothing.
- ``record``: always call the model and (re)record the answer.
- ``replay`` (default): answer from the recording when there is one, else call the model
  and record the answer.
- ``strict``: answer only from recordings; a miss fails the step (hermetic CI).

Recordings live in the engine's database (the default), or in a JSON file you can commit
next to the notebook (``engine.llm.use_cassette("agent.cassette.json")``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any, Literal, Protocol

from orch8_nb.agents.chat import ChatRequest
from orch8_nb.storage.base import Storage

Mode = Literal["live", "record", "replay", "strict"]
MODES: tuple[Mode, ...] = ("live", "record", "replay", "strict")
#: Overrides the default mode of every engine (``strict`` in CI).
MODE_ENV = "ORCH8_LLM_MODE"
FILE_FORMAT = "orch8-nb-cassette"


def cassette_key(provider: str, request: ChatRequest) -> str:
    material = {"provider": provider, **request.fingerprint()}
    text = json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def request_summary(request: ChatRequest) -> dict[str, Any]:
    """What a recording keeps of the request: enough for a person to read a diff."""
    return {
        "model": request.model,
        "system": request.system,
        "messages": request.messages,
        "tools": [t.name for t in request.tools],
        "temperature": request.temperature,
        "max_tokens": request.max_tokens,
    }


def check_mode(mode: str) -> Mode:
    for known in MODES:
        if mode == known:
            return known
    raise ValueError(f"cassette mode must be one of {', '.join(MODES)}, got {mode!r}")


def default_mode() -> Mode:
    value = os.environ.get(MODE_ENV, "").strip()
    if not value:
        return "replay"
    try:
        return check_mode(value)
    except ValueError as exc:
        raise ValueError(f"{MODE_ENV}: {exc}") from None


class CassetteStore(Protocol):
    #: Shown in messages: ``database`` or the file path.
    where: str

    async def get(self, key: str) -> dict[str, Any] | None: ...

    async def put(self, record: dict[str, Any]) -> None: ...


class DatabaseStore:
    """Recordings in the engine's database (table ``llm_cassette``)."""

    where = "the engine database"

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def get(self, key: str) -> dict[str, Any] | None:
        return await self._storage.get_llm_record(key)

    async def put(self, record: dict[str, Any]) -> None:
        await self._storage.put_llm_record(record)


class FileStore:
    """Recordings in one JSON file, rewritten atomically after each new recording and
    sorted by key so diffs stay small."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.where = str(self.path)
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, Any]] | None = None

    def _load(self) -> dict[str, dict[str, Any]]:
        if self._entries is None:
            if self.path.exists():
                try:
                    data = json.loads(self.path.read_text("utf-8"))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"cassette {self.path}: not valid JSON ({exc})") from exc
                if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
                    raise ValueError(
                        f"cassette {self.path}: not an orch8-nb cassette (expected "
                        f'"format": "{FILE_FORMAT}")'
                    )
                entries = data.get("entries") or []
                self._entries = {e["key"]: e for e in entries if isinstance(e, dict)}
            else:
                self._entries = {}
        return self._entries

    async def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            return self._load().get(key)

    async def put(self, record: dict[str, Any]) -> None:
        with self._lock:
            entries = self._load()
            entries[record["key"]] = record
            body = {"format": FILE_FORMAT, "version": 1,
                    "entries": [entries[k] for k in sorted(entries)]}  # fmt: skip
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
            # mkstemp makes the file private; a cassette is meant to be committed and shared.
            mode = self.path.stat().st_mode & 0o777 if self.path.exists() else 0o644
            os.chmod(tmp, mode)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(body, out, indent=1, sort_keys=True, ensure_ascii=False)
                out.write("\n")
            os.replace(tmp, self.path)

    def __len__(self) -> int:
        with self._lock:
            return len(self._load())


class CassetteMiss(Exception):
    """Strict mode found no recording for a call."""
