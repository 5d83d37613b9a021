"""Database URLs: ``sqlite:///path``, ``sqlite://:memory:``, ``postgresql://...``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from orch8_nb.errors import StorageError
from orch8_nb.storage.base import Storage

#: Where ``Engine()`` keeps its data when no URL is given.
DEFAULT_URL = "sqlite:///orch8.db"


@dataclass(frozen=True, slots=True)
class StorageUrl:
    scheme: Literal["sqlite", "postgresql"]
    path: str  # file path or ":memory:" for SQLite; the full DSN for PostgreSQL
    options: dict[str, str]


def parse_url(url: str) -> StorageUrl:
    """Accepts ``sqlite:///rel/or/abs.db``, ``sqlite:////abs.db``, ``sqlite://:memory:``,
    ``sqlite:path.db`` and a bare file path ending in ``.db``/``.sqlite``/``.sqlite3``."""
    text = url.strip()
    base, _, query = text.partition("?")
    options = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
    if base.startswith(("postgres://", "postgresql://")):
        return StorageUrl("postgresql", text, {})
    if base.startswith("sqlite:"):
        rest = base[len("sqlite:") :]
        if rest in ("", "//", "///", "//:memory:", ":memory:", "///:memory:"):
            path = ":memory:" if "memory" in rest else ""
        elif rest.startswith("///"):
            path = rest[3:]
        elif rest.startswith("//"):
            path = rest[2:]
        else:
            path = rest
        if not path:
            raise StorageError(f"{url!r}: no database file given (try 'sqlite:///orch8.db')")
        return StorageUrl("sqlite", path, options)
    if "://" not in base and Path(base).suffix in (".db", ".sqlite", ".sqlite3"):
        return StorageUrl("sqlite", base, options)
    raise StorageError(
        f"unsupported database URL {url!r}: use 'sqlite:///path/to.db', 'sqlite://:memory:' "
        "or 'postgresql://...'"
    )


def open_storage(url: str, *, now_ms: int = 0) -> Storage:
    """Build (not yet open) the backend for ``url``; optional backends load lazily."""
    parsed = parse_url(url)
    if parsed.scheme == "postgresql":
        raise StorageError(
            "the PostgreSQL backend is not available in this version of orch8-nb yet "
            "(it will ship as the 'orch8-nb[postgres]' extra)"
        )
    from orch8_nb.storage.sqlite.backend import SqliteStorage

    sync = parsed.options.get("synchronous", "NORMAL").upper()
    if sync not in ("OFF", "NORMAL", "FULL"):
        raise StorageError(f"{url!r}: synchronous must be OFF, NORMAL or FULL, not {sync!r}")
    if parsed.path != ":memory:":
        Path(parsed.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return SqliteStorage(
        str(Path(parsed.path).expanduser()) if parsed.path != ":memory:" else ":memory:",
        synchronous=sync,  # type: ignore[arg-type]
        url=url,
        now_ms=now_ms,
    )
