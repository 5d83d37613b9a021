"""Database URLs: the accepted SQLite spellings, options, and helpful refusals."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from orch8_nb.errors import StorageError
from orch8_nb.storage import open_storage, parse_url
from orch8_nb.storage.sqlite.backend import SqliteStorage
from orch8_nb.storage.urls import DEFAULT_URL, StorageUrl


@pytest.mark.parametrize(
    ("url", "path", "options"),
    [
        ("sqlite:///rel.db", "rel.db", {}),
        ("sqlite:///data/rel.db", "data/rel.db", {}),
        ("sqlite:////abs/dir/x.db", "/abs/dir/x.db", {}),
        ("sqlite://:memory:", ":memory:", {}),
        ("sqlite::memory:", ":memory:", {}),
        ("sqlite:///:memory:", ":memory:", {}),
        ("sqlite:path.db", "path.db", {}),
        ("sqlite:///memory.db", "memory.db", {}),
        ("x.db", "x.db", {}),
        ("dir/x.sqlite", "dir/x.sqlite", {}),
        ("/abs/x.sqlite3", "/abs/x.sqlite3", {}),
        ("  sqlite:///spaced.db  ", "spaced.db", {}),
        ("sqlite:///x.db?synchronous=FULL", "x.db", {"synchronous": "FULL"}),
        ("x.db?synchronous=off&flag", "x.db", {"synchronous": "off"}),
        ("sqlite://:memory:?synchronous=NORMAL", ":memory:", {"synchronous": "NORMAL"}),
    ],
)
def test_sqlite_url_forms(url: str, path: str, options: dict[str, str]) -> None:
    assert parse_url(url) == StorageUrl("sqlite", path, options)


def test_default_url_is_a_relative_sqlite_file() -> None:
    assert parse_url(DEFAULT_URL) == StorageUrl("sqlite", "orch8.db", {})


@pytest.mark.parametrize("url", ["postgresql://u:p@host/db", "postgres://host/db?sslmode=x"])
def test_postgres_urls_parse_but_name_the_missing_extra(url: str) -> None:
    parsed = parse_url(url)
    assert (parsed.scheme, parsed.path) == ("postgresql", url)
    with pytest.raises(StorageError, match=r"orch8-nb\[postgres\]"):
        open_storage(url)


@pytest.mark.parametrize(
    "url", ["mysql://host/db", "notes.txt", "http://x/y.db", "orch8", "", "file:///x.db"]
)
def test_unsupported_urls_explain_the_accepted_forms(url: str) -> None:
    with pytest.raises(StorageError, match="unsupported database URL") as info:
        parse_url(url)
    assert "sqlite:///path/to.db" in str(info.value)
    assert "sqlite://:memory:" in str(info.value)


@pytest.mark.parametrize("url", ["sqlite:", "sqlite://", "sqlite:///", "sqlite:?synchronous=FULL"])
def test_sqlite_url_without_a_file_is_refused(url: str) -> None:
    with pytest.raises(StorageError, match="no database file"):
        parse_url(url)


def test_bad_synchronous_option_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="synchronous must be OFF, NORMAL or FULL"):
        open_storage(f"sqlite:///{tmp_path / 'x.db'}?synchronous=sometimes")


@pytest.mark.parametrize(
    ("given", "expected"), [("full", "FULL"), ("Off", "OFF"), (None, "NORMAL")]
)
def test_synchronous_option_is_case_insensitive(
    tmp_path: Path, given: str | None, expected: str
) -> None:
    suffix = "" if given is None else f"?synchronous={given}"
    store = open_storage(f"sqlite:///{tmp_path / 'x.db'}{suffix}")
    assert isinstance(store, SqliteStorage)
    assert store.synchronous == expected


def test_relative_url_resolves_against_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_storage("sqlite:///nested/dir/rel.db")
    assert isinstance(store, SqliteStorage)
    assert store.url == "sqlite:///nested/dir/rel.db"
    assert (tmp_path / "nested" / "dir").is_dir()  # parents are created up front
    asyncio.run(store.open())
    asyncio.run(store.close())
    assert (tmp_path / "nested" / "dir" / "rel.db").is_file()


def test_home_relative_path_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    store = open_storage("sqlite:///~/data/x.db")
    assert isinstance(store, SqliteStorage)
    assert store.path == str(tmp_path / "data" / "x.db")


def test_memory_url_is_neither_durable_nor_shared(tmp_path: Path) -> None:
    memory = open_storage("sqlite://:memory:")
    file = open_storage(f"sqlite:///{tmp_path / 'x.db'}")
    assert (memory.capabilities.durable, memory.capabilities.multi_process) == (False, False)
    assert (file.capabilities.durable, file.capabilities.multi_process) == (True, True)
