"""Orch8's REST and worker API over an engine (``pip install 'orch8-nb[server]'``).

``engine.serve(port=...)`` serves it from a notebook in the background; ``create_app``
gives the ASGI app for any server.
"""

from orch8_nb.server.app import create_app
from orch8_nb.server.serve import Server

__all__ = ["Server", "create_app"]
