"""orch8-nb: a durable workflow engine that lives inside a Jupyter kernel."""

__version__ = "0.1.0.dev0"
