"""``orch8.toml``: the engine settings ``orch8-nb run`` uses.

Only the ``[engine]`` table exists. Unknown tables and keys are refused by name, so a typo
never silently falls back to a default.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from orch8_nb.cli.output import CliError
from orch8_nb.errors import StorageError
from orch8_nb.storage.urls import DEFAULT_URL, parse_url

CONFIG_NAME = "orch8.toml"
_SYNCHRONOUS = ("OFF", "NORMAL", "FULL")


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """The ``[engine]`` table; each field is one key."""

    #: Database URL. A relative SQLite path is resolved against the folder of orch8.toml.
    database: str = DEFAULT_URL
    #: How often the scheduler looks for due timers and work from other processes (ms).
    tick_interval_ms: int = 100
    #: Instances this engine runs at once.
    max_concurrent_instances: int = 128
    #: Most instances claimed per scheduler pass.
    batch_size: int = 200
    #: Threads for synchronous handlers.
    handler_threads: int = 32
    #: SQLite durability: NORMAL survives a crashed process, FULL also a power loss.
    synchronous: str = "NORMAL"

    def engine_options(self) -> dict[str, Any]:
        return {
            "tick_interval_ms": self.tick_interval_ms,
            "max_concurrent_instances": self.max_concurrent_instances,
            "batch_size": self.batch_size,
            "handler_threads": self.handler_threads,
        }


@dataclass(frozen=True, slots=True)
class Settings:
    """What ``run`` opens: the config it came from and the final database URL."""

    engine: EngineConfig
    url: str
    source: Path | None


_KEYS = {f.name: f for f in fields(EngineConfig)}


def load_settings(config: Path | None, db: str | None, cwd: Path) -> Settings:
    """``config`` (or ``cwd/orch8.toml`` if present, else defaults); ``db`` overrides the
    database. Raises ``CliError`` (exit 2) naming the file and key at fault."""
    path = config if config is not None else cwd / CONFIG_NAME
    if config is None and not path.is_file():
        engine, source = EngineConfig(), None
    else:
        engine, source = read_config(path), path
    base = source.parent if source is not None and db is None else cwd
    url = database_url(db or engine.database, base, engine.synchronous)
    return Settings(engine, url, source)


def read_config(path: Path) -> EngineConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(f"{path}: no such config file") from None
    except OSError as exc:
        raise CliError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CliError(f"{path}: invalid TOML: {exc}") from None
    for table in data:
        if table != "engine":
            raise CliError(f"{path}: unknown table [{table}] (the only table is [engine])")
    table = data.get("engine", {})
    if not isinstance(table, dict):
        raise CliError(f"{path}: 'engine' must be a table ([engine])")
    values: dict[str, Any] = {}
    for key, value in table.items():
        values[key] = _check_key(path, key, value)
    return EngineConfig(**values)


def _check_key(path: Path, key: str, value: Any) -> Any:
    if key not in _KEYS:
        close = difflib.get_close_matches(key, _KEYS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f" (known keys: {', '.join(_KEYS)})"
        raise CliError(f"{path}: unknown key 'engine.{key}'{hint}")
    where = f"{path}: engine.{key}"
    if key == "database":
        if not isinstance(value, str) or not value.strip():
            raise CliError(f"{where} must be a database URL such as 'sqlite:///orch8.db'")
        return value
    if key == "synchronous":
        if not isinstance(value, str) or value.upper() not in _SYNCHRONOUS:
            raise CliError(f"{where} must be one of {', '.join(_SYNCHRONOUS)}, not {value!r}")
        return value.upper()
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise CliError(f"{where} must be a positive integer, not {value!r}")
    return value


def database_url(url: str, base: Path, synchronous: str) -> str:
    """``url`` with a relative SQLite path made absolute against ``base`` and the
    ``synchronous`` setting added unless the URL names its own."""
    try:
        parsed = parse_url(url)
    except StorageError as exc:
        raise CliError(str(exc)) from None
    if parsed.scheme != "sqlite":
        raise CliError(f"{url!r}: only SQLite databases are available in this version")
    options = dict(parsed.options)
    if synchronous != "NORMAL":  # NORMAL is the engine's default: keep the URL short
        options.setdefault("synchronous", synchronous)
    query = "?" + "&".join(f"{k}={v}" for k, v in options.items()) if options else ""
    if parsed.path == ":memory:":
        return f"sqlite://:memory:{query}"
    path = Path(parsed.path).expanduser()
    if not path.is_absolute():
        path = base / path
    return f"sqlite:///{path.resolve()}{query}"
