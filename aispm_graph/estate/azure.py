"""Many Azure subscriptions into one snapshot, resumably, plus the tenant they belong to.

Each subscription is stored, whole, the moment it is read (its directory objects included),
so an interruption loses only the subscriptions in flight; the run file and resuming are
:class:`aispm_graph.estate.run.EstateRun`'s. With ``tenant_wide`` the management-group
hierarchy and the principals behind role assignments are read once for all of them. The CLI
(``aispm collect azure``) and the Python API call :func:`collect_azure_estate` and render
what it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aispm_graph.estate.run import EstateError, EstateRun
from aispm_graph.progress import Reporter, task
from aispm_graph.providers.azure.collect import AzureCollector, CollectResult
from aispm_graph.providers.azure.tenant import TenantCollector, tenant_of
from aispm_graph.workspace import Snapshot, Workspace


@dataclass
class AzureEstate:
    """What one run stored: the output's rows (documents are already on disk)."""

    snapshot: str
    run: str
    collected: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (subscription, why)
    tenant: dict[str, Any] | None = None  # summary() of the tenant read, when made


def summary(result: CollectResult, key: str = "subscription") -> dict[str, Any]:
    """What the output says of one stored result."""
    return {
        key: result.subscription_id,
        "documents": len(result.documents),
        "coverage": result.coverage_json(),
    }


def collect_azure_estate(
    workspace: Workspace,
    collector: AzureCollector,
    subscriptions: list[str],
    *,
    mode: str,
    resume: bool = False,
    tenant_wide: bool = True,
    max_workers: int = 4,
    reporter: Reporter | None = None,
    log: Callable[[str], None] = lambda _message: None,
) -> AzureEstate:
    """Collect ``subscriptions`` (lower-case ids) into a new snapshot, each stored as read.

    ``mode`` names the selection (``subscriptions``, ``all-subscriptions``): ``resume`` only
    continues a run of the same mode. Raises :class:`EstateError` when no subscription could
    be collected; ``AzureCollectError`` from the collector passes through.
    """
    run = EstateRun.start(workspace, "azure", mode, resume, "subscription", log)
    skipped = [s for s in subscriptions if s in run.done]
    todo = [s for s in subscriptions if s not in run.done]
    snapshot = workspace.open_for_write()
    run.state["snapshot"] = snapshot.id
    run.save()
    tenants = TenantCollector(collector) if tenant_wide else None
    out = AzureEstate(snapshot.id, run.id, skipped=skipped)
    tenant_id = ""
    with (
        run.interruptible(snapshot.id, "subscription"),
        task(reporter, "Azure subscriptions", len(todo)) as bar,
    ):
        for sub, result, why in collector.iter_many(todo, max_workers):
            bar.advance(failed=int(result is None))
            bar.update(detail=sub)
            if result is None:
                out.failed.append((sub, why))
                log(f"subscription {sub}: not collected: {why}")
                continue
            if tenants is not None:
                tenants.add_principals([result])
            tenant_id = tenant_id or tenant_of([result])
            snapshot.put_source(
                "azure",
                result.subscription_id,
                result.documents,
                meta={"coverage": result.coverage_json(), "estate_run": run.id},
            )
            run.stored(sub)
            out.collected.append(summary(result))
            log(f"subscription {sub}: {len(result.documents)} resources stored")
        if not out.collected and not skipped:
            raise EstateError("no subscription could be collected: " + out.failed[0][1])
        if tenants is not None:
            tenant_id = tenant_id or _stored_tenant(snapshot, skipped)
            tenant = tenants.collect_tenant(tenant_id)
            out.tenant = summary(tenant)
            if tenant.documents:
                # A tenant read that found nothing (or was refused) is not stored as an
                # empty tenant, which would erase what an earlier run saw there.
                snapshot.put_source(
                    "azure",
                    tenant.subscription_id,
                    tenant.documents,
                    meta={"coverage": tenant.coverage_json(), "estate_run": run.id},
                )
    run.finish()
    return out


def _stored_tenant(snapshot: Snapshot, subscriptions: list[str]) -> str:
    """The tenant id from a subscription an earlier (resumed) run stored."""
    for sub in subscriptions:
        docs = snapshot.source_documents("azure", sub)
        found = tenant_of([CollectResult(sub, documents=docs)])
        if found:
            return found
    return ""
