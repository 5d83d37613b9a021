"""``orch8-nb run``: one instance of a sequence file, headless, with live progress."""

from __future__ import annotations

import threading
import warnings
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.status import Status

from orch8_nb.cli.config import Settings, load_settings
from orch8_nb.cli.loading import load_input, load_sequence
from orch8_nb.cli.output import (
    EXIT_CANCELLED,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_WAITING,
    CliError,
    Output,
    reporting,
)
from orch8_nb.cli.progress import Watcher, engine_logs
from orch8_nb.cli.report import Outcome, print_outcome
from orch8_nb.engine import Engine, Instance
from orch8_nb.engine.blocks import SUPPORTED
from orch8_nb.engine.clock import perf_counter
from orch8_nb.engine.compiled import check_supported
from orch8_nb.engine.instance import TERMINAL
from orch8_nb.errors import InstanceValidationError, StorageError, UnsupportedFeatureError
from orch8_nb.model import SequenceDefinition

#: Longest pause between two looks at the instance when no engine event arrives.
POLL_S = 0.1

EPILOG = """\
Examples:

  orch8-nb run sequence.json

  orch8-nb run sequence.json --input '{"name": "Ada"}'

  orch8-nb run flow.json --input-file order.json --db sqlite:///runs.db --timeout 60 --json

Exit codes: 0 completed; 1 failed; 2 bad input (file, sequence, --input, config);
3 cancelled; 4 still waiting (an external worker, or --timeout expired).
"""


def run(
    ctx: typer.Context,
    sequence: Annotated[Path, typer.Argument(help="Sequence JSON file.", show_default=False)],
    input_json: Annotated[
        str | None,
        typer.Option("--input", "-i", help="The instance's data, as a JSON object."),
    ] = None,
    input_file: Annotated[
        Path | None, typer.Option("--input-file", help="Read the data from a JSON file.")
    ] = None,
    db: Annotated[
        str | None, typer.Option("--db", help="Database URL; overrides orch8.toml.")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Config file (default: ./orch8.toml if present)."),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", min=0, help="Stop waiting after this many seconds (exit 4)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the result as JSON; progress goes to stderr.")
    ] = False,
) -> None:
    """Run one instance of a sequence file on the local database and print its outputs.

    Built-in handlers (log, transform, set_state, sleep, ...) run in this process; a step
    whose handler is not built in waits for an external worker, and run exits with 4.
    """
    with reporting(ctx) as output:
        definition = load_sequence(sequence)
        data = load_input(input_json, input_file)
        try:
            check_supported(definition, SUPPORTED)
        except UnsupportedFeatureError as err:
            raise CliError(f"{sequence}: {err}") from None
        settings = load_settings(config, db, Path.cwd())
        code = _run(definition, data, settings, timeout, as_json, output)
    raise typer.Exit(code)


def _run(
    definition: SequenceDefinition,
    data: dict[str, Any],
    settings: Settings,
    timeout: float | None,
    as_json: bool,
    output: Output,
) -> int:
    try:
        engine = Engine(settings.url, **settings.engine.engine_options())
    except (OSError, StorageError) as exc:
        raise CliError(f"cannot open the database {settings.url}: {exc}", EXIT_FAILED) from None
    try:
        with engine_logs(output, stderr=as_json):
            registered = _register(engine, definition, output)
            started = perf_counter()
            try:
                inst = engine.create_instance(registered, data)
            except InstanceValidationError as err:
                raise CliError.invalid("the input does not fit the sequence", err) from None
            if not as_json:
                title = f"running {registered.name!r} v{registered.version} as instance {inst.id}"
                output.line(title, "bold")
                output.line(f"database {settings.url}", "dim")
            watcher = Watcher(inst, registered, engine.handlers, output, stderr=as_json)
            timed_out = _follow(engine, inst, watcher, timeout, output)
        outcome = Outcome.read(inst, registered, settings.url, watcher, timed_out)
        outcome.elapsed_s = perf_counter() - started
        print_outcome(outcome, output, as_json=as_json)
        return _exit_code(outcome)
    finally:
        engine.shutdown(timeout=5)


def _register(engine: Engine, definition: SequenceDefinition, output: Output) -> SequenceDefinition:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            registered = engine.upsert_sequence(definition)
        except UnsupportedFeatureError as err:
            raise CliError(str(err), EXIT_USAGE) from None
    for warning in caught:
        output.warn(str(warning.message))
    return registered


def _follow(
    engine: Engine, inst: Instance, watcher: Watcher, timeout: float | None, output: Output
) -> bool:
    """Print progress until the instance is done or stuck; True if ``timeout`` expired."""
    wake = threading.Event()
    unsubscribe = engine.aio.bus.subscribe(lambda _event: wake.set(), inst.id)
    started = perf_counter()
    deadline = None if timeout is None else started + timeout
    console = output.err if watcher.stderr else output.out
    # A spinner only on a terminal: CI logs get the plain lines and nothing redrawn.
    status = console.status("starting") if console.is_terminal else nullcontext()
    try:
        with status:
            while True:
                wake.clear()
                state = watcher.poll()
                if state in TERMINAL or (state == "waiting" and watcher.waiting_for_workers()):
                    return False
                now = perf_counter()
                if deadline is not None and now >= deadline:
                    return True
                if isinstance(status, Status):
                    status.update(f"{state} ({now - started:.1f} s)")
                wake.wait(POLL_S if deadline is None else min(POLL_S, deadline - now))
    except KeyboardInterrupt:
        output.warn(
            f"interrupted: instance {inst.id} stays {watcher.state} and resumes when an "
            "engine next opens this database"
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        unsubscribe()


def _exit_code(outcome: Outcome) -> int:
    if outcome.state == "completed":
        return EXIT_OK
    if outcome.state == "failed":
        return EXIT_FAILED
    if outcome.state == "cancelled":
        return EXIT_CANCELLED
    return EXIT_WAITING
