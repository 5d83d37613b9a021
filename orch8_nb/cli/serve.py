"""``orch8-nb serve``: Orch8's REST and worker API over an engine, until interrupted."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orch8_nb.cli.config import load_settings
from orch8_nb.cli.output import EXIT_OK, EXIT_USAGE, CliError

EPILOG = """\
Examples:

  orch8-nb serve                                # ./orch8.toml or ./orch8.db, port 8080

  orch8-nb serve --db sqlite:///runs.db --port 9000 --host 0.0.0.0

  ORCH8_API_KEY=s3cret orch8-nb serve           # every route but health needs the key

  orch8-nb serve --cors-origin http://localhost:3000   # a web app on another origin

The web dashboard is at /dashboard. Routes are served under /api/v1 and at the bare path;
the API description is at /api-docs/openapi.json and /swagger-ui.
"""


def serve(
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")] = 8080,
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    db: Annotated[
        str | None, typer.Option("--db", help="Database URL (default: orch8.toml or orch8.db).")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="An orch8.toml file.")
    ] = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(
            "--cors-origin", help="Allow browsers on this origin (repeatable; * for any)."
        ),
    ] = None,
) -> None:
    """Serve the REST API, the worker protocol and health checks until Ctrl-C."""
    try:
        import uvicorn

        from orch8_nb.engine import Engine
        from orch8_nb.server import create_app
    except ImportError as exc:
        typer.echo(f"orch8-nb serve needs the server extra: pip install 'orch8-nb[server]' "
                   f"({exc})", err=True)  # fmt: skip
        raise typer.Exit(EXIT_USAGE) from None
    try:
        settings = load_settings(config, db, Path.cwd())
    except CliError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_USAGE) from None
    engine = Engine(settings.url, **settings.engine.engine_options())
    try:
        typer.echo(f"orch8-nb API on http://{host}:{port} (database {settings.url}); "
                   f"dashboard at http://{host}:{port}/dashboard", err=True)  # fmt: skip
        app = create_app(engine, cors_origins=cors_origin or ())
        uvicorn.run(app, host=host, port=port, log_level="info", lifespan="off")
    finally:
        engine.shutdown()
    raise typer.Exit(EXIT_OK)
