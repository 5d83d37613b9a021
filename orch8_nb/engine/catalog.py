"""Registered sequence versions: registration, lookup, and a parsed cache.

Versions are immutable, so a parsed version never goes stale; the cache only bounds memory
(and drops a version that is deprecated or deleted here).
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from orch8_nb.engine.blocks import SUPPORTED
from orch8_nb.engine.clock import Clock
from orch8_nb.engine.compiled import CompiledSequence, check_supported, fingerprint
from orch8_nb.engine.handlers import HandlerRegistry
from orch8_nb.engine.injection import compiled_with
from orch8_nb.engine.injection import fingerprint as injections_key
from orch8_nb.errors import NotFoundError
from orch8_nb.model import SequenceDefinition
from orch8_nb.model.timestamps import format_timestamp, ms_to_datetime
from orch8_nb.storage.base import Storage
from orch8_nb.storage.rows import AuditRow, InstanceFilter, InstanceRow, SequenceRow

#: Sequence versions kept parsed in memory.
CACHE_SIZE = 1000

SequenceRef = SequenceDefinition | Mapping[str, Any] | str


#: Instance states that still run (or will).
UNFINISHED = ("scheduled", "running", "waiting", "paused")


class OldVersionWarning(UserWarning):
    """A new version was registered while instances still run on older ones."""


class UnregisteredHandlerWarning(UserWarning):
    """A step names a handler this engine does not know: it will wait for a worker."""


class SequenceCatalog:
    def __init__(
        self,
        storage: Storage,
        registry: HandlerRegistry,
        clock: Clock,
        tenant_id: str,
        namespace: str,
    ) -> None:
        self.storage = storage
        self.registry = registry
        self.clock = clock
        self.tenant_id = tenant_id
        self.namespace = namespace
        self._cache: OrderedDict[str, CompiledSequence] = OrderedDict()

    async def upsert(self, sequence: SequenceRef) -> SequenceDefinition:
        """Register a version (create-or-get); returns it with id and version set.

        Without an explicit ``version``, unchanged blocks return the latest version and
        changed blocks create the next one; instances already running stay on theirs.
        """
        seq = _as_definition(sequence)
        check_supported(seq, SUPPORTED)
        definition = seq.model_dump(mode="json", exclude_none=True)
        # A definition that does not name its tenant or namespace lives in the engine's.
        if "tenant_id" not in seq.model_fields_set:
            definition["tenant_id"] = self.tenant_id
        if "namespace" not in seq.model_fields_set:
            definition["namespace"] = self.namespace
        now = self.clock.now_ms()
        definition.setdefault("created_at", format_timestamp(ms_to_datetime(now)))
        row = SequenceRow(
            id=str(seq.id), tenant_id=definition["tenant_id"], namespace=definition["namespace"],
            name=seq.name, version=seq.version or 0, definition=definition,
            fingerprint=fingerprint(definition), deprecated=seq.deprecated,
            status=str(definition.get("status", "production")), created_at=now,
        )  # fmt: skip
        stored, created = await self.storage.register_sequence(
            row, explicit_version=seq.version is not None
        )
        compiled = self._remember(stored)
        self._warn_unregistered(compiled)
        if created and stored.version > 1:
            await self._warn_old_versions(compiled)
        return compiled.definition

    async def compiled(self, sequence_id: str) -> CompiledSequence:
        cached = self._cache.get(sequence_id)
        if cached is not None:
            return cached
        row = await self.storage.get_sequence(sequence_id)
        if row is None:
            raise NotFoundError(f"sequence {sequence_id} not found")
        return self._remember(row)

    async def for_instance(self, row: InstanceRow) -> CompiledSequence:
        """The sequence an instance runs: its version, plus blocks injected into it."""
        base = await self.compiled(row.sequence_id)
        injections = row.metadata.get("_injected_blocks")
        if not injections:
            return base
        key = f"{row.sequence_id}+{injections_key(injections)}"
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = compiled_with(base, injections)
        return cached

    async def find(
        self, name: str, version: int | None = None, *, namespace: str | None = None
    ) -> SequenceDefinition:
        row = await self.storage.find_sequence(
            self.tenant_id, namespace or self.namespace, name, version
        )
        if row is None:
            which = f"version {version}" if version is not None else "any active version"
            raise NotFoundError(f"sequence {name!r} ({which}) not found")
        return self._remember(row).definition

    async def find_compiled(
        self, name: str, version: int | None = None, namespace: str | None = None
    ) -> CompiledSequence:
        """Like :meth:`find`, parsed and indexed (what a sub-sequence starts)."""
        definition = await self.find(name, version, namespace=namespace)
        return await self.compiled(str(definition.id))

    async def deprecate(self, sequence_id: str, deprecated: bool = True) -> SequenceDefinition:
        """Lookups by name skip a deprecated version; its running instances go on."""
        row = await self.storage.deprecate_sequence(sequence_id, deprecated)
        self._forget(sequence_id)
        return self._remember(row).definition

    async def delete(self, sequence_id: str, *, purge: bool = False) -> int:
        """Delete a version no unfinished instance runs; with ``purge`` its finished
        instances go too (see ``Storage.delete_sequence``). Returns how many did."""
        row = await self.storage.get_sequence(sequence_id)
        if row is None or row.tenant_id != self.tenant_id:
            raise NotFoundError(f"sequence {sequence_id} not found")
        details = {"sequence_id": row.id, "name": row.name, "version": row.version,
                   "purge": purge}  # fmt: skip
        audit = AuditRow(self.clock.uuid(), None, self.tenant_id, "sequence_deleted", None,
                         None, None, details, self.clock.now_ms())  # fmt: skip
        deleted = await self.storage.delete_sequence(sequence_id, purge=purge, audit=[audit])
        self._forget(sequence_id)
        return deleted

    def _forget(self, sequence_id: str) -> None:
        """Drop a version's parsed copies (with injected blocks too)."""
        for key in [k for k in self._cache if k == sequence_id or k.startswith(sequence_id + "+")]:
            del self._cache[key]

    async def versions(self, name: str) -> list[SequenceDefinition]:
        rows = await self.storage.list_sequences(self.tenant_id, self.namespace, name, 10_000)
        return [self._remember(r).definition for r in rows]

    async def resolve(self, sequence: SequenceRef) -> CompiledSequence:
        """A definition (registered if needed), a version id, or a name (latest version)."""
        if isinstance(sequence, SequenceDefinition):
            cached = self._cache.get(str(sequence.id))
            if cached is not None and cached.definition is sequence:
                return cached  # the object upsert returned: already registered
        if isinstance(sequence, str) and not sequence.lstrip().startswith("{"):
            if sequence in self._cache:
                return self._cache[sequence]
            by_id = await self.storage.get_sequence(sequence)
            if by_id is not None:
                return self._remember(by_id)
            return await self.compiled(str((await self.find(sequence)).id))
        definition = await self.upsert(sequence)
        return await self.compiled(str(definition.id))

    def _remember(self, row: SequenceRow) -> CompiledSequence:
        cached = self._cache.get(row.id)
        if cached is None:
            cached = CompiledSequence.build(row.id, SequenceDefinition.from_json(row.definition))
            self._cache[row.id] = cached
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(row.id)
        return cached

    async def _warn_old_versions(self, compiled: CompiledSequence) -> None:
        name, version = compiled.definition.name, compiled.definition.version
        running: dict[int, int] = {}
        for row in await self.storage.list_sequences(self.tenant_id, self.namespace, name, 1000):
            if row.id == compiled.id:
                continue
            flt = InstanceFilter(tenant_id=self.tenant_id, sequence_id=row.id, states=UNFINISHED)
            count = sum((await self.storage.count_instances(flt)).values())
            if count:
                running[row.version] = count
        if running:
            where = ", ".join(f"{n} on v{v}" for v, n in sorted(running.items()))
            warnings.warn(
                f"sequence {name!r} is now v{version}, but unfinished instances still run on "
                f"older versions ({where}); engine.plan_migration(None, <the new version>) "
                "previews moving them",
                OldVersionWarning,
                stacklevel=5,
            )

    def _warn_unregistered(self, compiled: CompiledSequence) -> None:
        for name in sorted(compiled.handlers):
            if self.registry.get(name) is None:
                hint = self.registry.suggest(name)
                extra = f" (did you mean {hint!r}?)" if hint else ""
                warnings.warn(
                    f"sequence {compiled.definition.name!r} uses handler {name!r}, which is not "
                    f"registered in this engine{extra}; its steps will wait for an external "
                    "worker",
                    UnregisteredHandlerWarning,
                    stacklevel=5,
                )


def _as_definition(sequence: SequenceRef) -> SequenceDefinition:
    if isinstance(sequence, SequenceDefinition):
        return sequence
    return SequenceDefinition.from_json(sequence)
