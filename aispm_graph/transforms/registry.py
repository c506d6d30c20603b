"""Per-service registry: each (provider, service) module says what it reads and transforms it.

A service module declares, with :func:`service`, the provider answers it reads (AWS:
``(service, operation)`` pairs such as ``("lambda", "list_functions")``; Azure: ARM resource
types such as ``"microsoft.keyvault/vaults"``; GCP: Cloud Asset types such as
``"aiplatform.googleapis.com/Endpoint"``) and the function that turns them into nodes and
edges through the provider's builder. The provider transform runs the registered services in
their declared ``order`` (lower first, then by name), so adding a service is adding a module.

The declaration is enforced, not decorative: a provider builder hands a service only the
answers it declared (:func:`check_read` raises :class:`UndeclaredRead` otherwise), so the
list of reads is always the truth, and tests compare it with what the collectors store.

``order`` matters only where a service *reads nodes* another service made (Lambda attaches
its execution role only if IAM made it; a Bedrock agent finds its guardrail by id). Edges do
not need it: the builder keeps an edge until both ends exist (see
:mod:`aispm_graph.transforms.builder`). Each provider's docstring lists its order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

# What a service reads: an AWS (service, operation) pair, or an ARM / Cloud Asset type.
Read = tuple[str, str] | str

ServiceFn = Callable[[Any], None]
F = TypeVar("F", bound=ServiceFn)


class UndeclaredRead(Exception):
    """A service read answers it did not declare: a bug in the service module, not bad data."""


@dataclass(frozen=True)
class ServiceSpec:
    """One registered (provider, service): what it reads and the function that transforms it."""

    provider: str
    name: str
    reads: frozenset[Read]
    order: int
    run: ServiceFn
    module: str
    doc: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.provider, self.name)


_SERVICES: dict[tuple[str, str], ServiceSpec] = {}


def service(
    provider: str, name: str, *, reads: Iterable[Read], order: int = 100
) -> Callable[[F], F]:
    """Register ``fn(builder)`` as the transform of ``provider``'s service ``name``.

    ``reads`` lists every answer the function reads; ``order`` (default 100) places it among
    the provider's services, lower first. Registering a name twice is an error, so two modules
    cannot silently fight over one service.
    """
    declared = frozenset(reads)
    if not declared:
        raise ValueError(f"service {provider}/{name} declares no reads")

    def register(fn: F) -> F:
        key = (provider, name)
        old = _SERVICES.get(key)
        if old is not None and old.module != fn.__module__:
            raise ValueError(
                f"service {provider}/{name} registered by {old.module} and {fn.__module__}"
            )
        _SERVICES[key] = ServiceSpec(
            provider=provider,
            name=name,
            reads=declared,
            order=order,
            run=fn,
            module=fn.__module__,
            doc=(fn.__doc__ or "").strip().split("\n\n")[0],
        )
        return fn

    return register


def services(provider: str) -> list[ServiceSpec]:
    """The provider's services in run order (``order``, then name)."""
    found = [s for s in _SERVICES.values() if s.provider == provider]
    return sorted(found, key=lambda s: (s.order, s.name))


def declared_reads(provider: str) -> set[Read]:
    """Everything the provider's services read (what its collector must fetch)."""
    out: set[Read] = set()
    for spec in services(provider):
        out |= spec.reads
    return out


def check_read(spec: ServiceSpec | None, read: Read) -> None:
    """Raise :class:`UndeclaredRead` unless the running service declared ``read``.

    Outside a service (``spec`` None: provider-wide intake and finishing steps) every read is
    allowed.
    """
    if spec is not None and read not in spec.reads:
        raise UndeclaredRead(
            f"service {spec.provider}/{spec.name} ({spec.module}) reads {read!r} "
            "without declaring it in @service(reads=...)"
        )
