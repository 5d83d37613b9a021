"""``engine.llm``: one engine's models, tools, recordings and prices.

Installed into every engine (see ``engine/extensions.py``), which also registers the
``llm_call``, ``tool_call`` and ``agent`` handlers bound to it.
"""

from __future__ import annotations

import os
import ssl
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, overload

import certifi
import httpx

from orch8_nb.agents.cassette import (
    CassetteStore,
    DatabaseStore,
    FileStore,
    Mode,
    check_mode,
    default_mode,
)
from orch8_nb.agents.pricing import PriceTable
from orch8_nb.agents.providers import Provider, ProviderConfig, ScriptedProvider, http_provider
from orch8_nb.agents.providers.scripted import Reply
from orch8_nb.agents.tools import ToolRegistry, make_tool

if TYPE_CHECKING:
    from orch8_nb.engine.core import AsyncEngine

F = Any


class AgentServices:
    """Models, tools, recordings and prices of one engine (``engine.llm``)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._storage = engine.storage
        self._lock = threading.Lock()
        self._mode: Mode = default_mode()
        self.store: CassetteStore = DatabaseStore(engine.storage)
        #: Dollars per million tokens by model; ``prices.set(model, input=, output=)``.
        self.prices = PriceTable()
        #: Python tools registered with ``@engine.tool``.
        self.tools = ToolRegistry()
        self._scripted: dict[str, ScriptedProvider] = {}
        self._tls: ssl.SSLContext | None = None
        #: Characters per second at which a replayed or scripted answer streams to the
        #: live tree (``None``: at once). For demos: it then looks like a model typing.
        self.replay_pace: float | None = None

    # -- recordings --------------------------------------------------------------------------

    @property
    def mode(self) -> Mode:
        """``live``, ``record``, ``replay`` (default) or ``strict``; see ``agents/cassette.py``."""
        return self._mode

    @mode.setter
    def mode(self, value: str) -> None:
        self._mode = check_mode(value)

    def use_cassette(
        self, path: str | os.PathLike[str] | None = None, *, mode: str | None = None
    ) -> CassetteStore:
        """Keep recordings in a JSON file (commit it next to the notebook), or back in the
        engine database with ``None``; optionally set the mode too."""
        self.store = DatabaseStore(self._storage) if path is None else FileStore(path)
        if mode is not None:
            self.mode = mode
        return self.store

    # -- providers ---------------------------------------------------------------------------

    def script(self, *replies: Reply, name: str = "scripted") -> ScriptedProvider:
        """A provider called ``name`` that answers from this queue (new replies are added
        to an existing one). Use ``"provider": name`` in a step's params."""
        with self._lock:
            provider = self._scripted.get(name)
            if provider is None:
                provider = self._scripted[name] = ScriptedProvider(name=name)
        return provider.add(*replies)

    @property
    def scripted(self) -> dict[str, ScriptedProvider]:
        return dict(self._scripted)

    def http_client(self, timeout_s: float) -> httpx.AsyncClient:
        """A client for one call. The TLS context is built once per engine: building it
        costs tens of milliseconds, more than a local model's answer."""
        with self._lock:
            if self._tls is None:
                self._tls = ssl.create_default_context(cafile=certifi.where())
        return httpx.AsyncClient(timeout=httpx.Timeout(timeout_s), verify=self._tls)

    def provider(self, config: ProviderConfig) -> Provider:
        if config.kind == "scripted":
            return self._scripted[config.name]
        return http_provider(config)

    # -- tools -------------------------------------------------------------------------------

    @overload
    def tool(self, fn: Callable[..., Any], /) -> Callable[..., Any]: ...

    @overload
    def tool(
        self,
        fn: None = None,
        /,
        *,
        name: str | None = None,
        description: str | None = None,
        dangerous: bool = False,
    ) -> Callable[[F], F]: ...

    def tool(
        self,
        fn: Callable[..., Any] | None = None,
        /,
        *,
        name: str | None = None,
        description: str | None = None,
        dangerous: bool = False,
    ) -> Any:
        """Register a Python function as a tool: ``@engine.tool`` or
        ``@engine.tool(dangerous=True)`` (each call then waits for a person's approval)."""

        def register(f: F) -> F:
            self.tools.add(make_tool(f, name=name, description=description, dangerous=dangerous))
            return f

        return register(fn) if fn is not None else register

    def take_over(self, old: AgentServices) -> None:
        """Keep the tools and scripted providers of the engine this one replaces (a
        notebook cell that creates the engine ran again); settings are the new engine's."""
        for name in old.tools.names():
            if self.tools.get(name) is None:
                tool = old.tools.get(name)
                if tool is not None:
                    self.tools.add(tool)
        with self._lock:
            for name, provider in old.scripted.items():
                self._scripted.setdefault(name, provider)

    def __repr__(self) -> str:
        return (
            f"<engine.llm mode={self.mode} recordings in {self.store.where}, "
            f"tools={self.tools.names()}, scripted={sorted(self._scripted)}>"
        )


def install(engine: AsyncEngine) -> AgentServices:
    from orch8_nb.agents.agent import agent_handler
    from orch8_nb.agents.llm_call import llm_call_handler
    from orch8_nb.agents.tool_call import tool_call_handler

    kit = AgentServices(engine)
    engine.registry.register("llm_call", llm_call_handler, builtin=True)
    engine.registry.register("tool_call", tool_call_handler, builtin=True)
    engine.registry.register("agent", agent_handler, builtin=True)
    return kit


def services_of(ctx: Any) -> AgentServices:
    kit = ctx.extensions.get("agents")
    if not isinstance(kit, AgentServices):
        raise RuntimeError("this engine has no agent services (orch8_nb.agents not installed)")
    return kit
