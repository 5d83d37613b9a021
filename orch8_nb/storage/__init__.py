"""Storage backends behind one protocol; ``open_storage(url)`` picks one from a URL."""

from __future__ import annotations

from orch8_nb.storage.base import Capabilities, Storage
from orch8_nb.storage.urls import open_storage, parse_url

__all__ = ["Capabilities", "Storage", "open_storage", "parse_url"]
