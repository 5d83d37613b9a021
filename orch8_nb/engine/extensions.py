"""Engine-wide services contributed by packages above the engine (``orch8_nb.agents``).

The engine may not import those packages (dependencies point downward), yet every new
engine should come with them. A package registers an installer here when it is imported;
each new :class:`AsyncEngine` runs every installer, which registers handlers and puts its
service object under a name in ``engine.extensions``. Handlers reach it through
``ctx.extensions[name]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orch8_nb.engine.core import AsyncEngine

Installer = Callable[["AsyncEngine"], Any]

_INSTALLERS: dict[str, Installer] = {}


def register_extension(name: str, install: Installer) -> None:
    """Run ``install(engine)`` for every engine created from now on; its return value is
    the engine's ``extensions[name]``."""
    _INSTALLERS[name] = install


def install_extensions(engine: AsyncEngine) -> dict[str, Any]:
    return {name: install(engine) for name, install in _INSTALLERS.items()}


def carry_over(new: dict[str, Any], old: dict[str, Any]) -> None:
    """A second engine on the same file replaces the first: each service takes over what
    users registered on the old one (``take_over(old)``), as handlers do."""
    for name, service in new.items():
        previous = old.get(name)
        take_over = getattr(service, "take_over", None)
        if previous is not None and callable(take_over):
            take_over(previous)
