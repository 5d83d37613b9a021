"""``orch8.toml``: defaults, relative paths, overrides, and refusals that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from orch8_nb.cli.config import EngineConfig, database_url, load_settings
from orch8_nb.cli.output import CliError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_no_config_means_defaults_in_the_working_directory(tmp_path: Path) -> None:
    settings = load_settings(None, None, tmp_path)
    assert settings.source is None
    assert settings.engine == EngineConfig()
    assert settings.url == f"sqlite:///{tmp_path.resolve() / 'orch8.db'}"


def test_relative_database_is_relative_to_the_config_folder(tmp_path: Path) -> None:
    config = write(
        tmp_path / "proj" / "orch8.toml",
        '[engine]\ndatabase = "sqlite:///data/runs.db"\nsynchronous = "full"\n'
        "tick_interval_ms = 50\nmax_concurrent_instances = 4\n",
    )
    settings = load_settings(config, None, tmp_path)
    expected = (tmp_path / "proj" / "data" / "runs.db").resolve()
    assert settings.url == f"sqlite:///{expected}?synchronous=FULL"
    assert settings.engine.engine_options() == {
        "tick_interval_ms": 50,
        "max_concurrent_instances": 4,
        "batch_size": 200,
        "handler_threads": 32,
    }


def test_db_option_overrides_and_is_relative_to_the_working_directory(tmp_path: Path) -> None:
    write(tmp_path / "orch8.toml", '[engine]\ndatabase = "sqlite:///a.db"\n')
    settings = load_settings(None, "b.db", tmp_path)
    assert settings.source == tmp_path / "orch8.toml"
    assert settings.url == f"sqlite:///{(tmp_path / 'b.db').resolve()}"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite://:memory:", "sqlite://:memory:"),
        ("sqlite:////abs/x.db", "sqlite:////abs/x.db"),
        ("sqlite:////abs/x.db?synchronous=OFF", "sqlite:////abs/x.db?synchronous=OFF"),
    ],
)
def test_database_url_forms(url: str, expected: str) -> None:
    assert database_url(url, Path("/elsewhere"), "NORMAL") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[engine]\ntick_interval = 5\n", "unknown key 'engine.tick_interval'; did you mean"),
        ("[engine]\ncolour = 1\n", "unknown key 'engine.colour' (known keys: database,"),
        ("[server]\nport = 1\n", "unknown table [server]"),
        ("[engine]\ntick_interval_ms = 0\n", "engine.tick_interval_ms must be a positive"),
        ("[engine]\nbatch_size = true\n", "engine.batch_size must be a positive integer"),
        ('[engine]\nsynchronous = "SOMETIMES"\n', "engine.synchronous must be one of"),
        ("[engine]\ndatabase = 3\n", "engine.database must be a database URL"),
        ('[engine]\ndatabase = "mysql://x"\n', "unsupported database URL"),
        ('[engine]\ndatabase = "postgresql://h/db"\n', "only SQLite databases"),
        ("engine = 1\n", "'engine' must be a table"),
        ("[engine\n", "invalid TOML"),
    ],
)
def test_bad_config_is_refused_by_name(tmp_path: Path, text: str, message: str) -> None:
    config = write(tmp_path / "orch8.toml", text)
    with pytest.raises(CliError) as err:
        load_settings(config, None, tmp_path)
    assert message in err.value.message
    assert err.value.code == 2


def test_missing_explicit_config(tmp_path: Path) -> None:
    with pytest.raises(CliError, match="no such config file"):
        load_settings(tmp_path / "nope.toml", None, tmp_path)
