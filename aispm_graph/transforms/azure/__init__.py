"""The ``azure`` source: raw ARM resources (collected or Resource Graph rows) into the graph,
one module per Azure service (resource provider namespace).

Every document is one ARM resource as Azure returned it. Its type is read from its id (see
:mod:`aispm_graph.knowledge.azure.arm`), so REST responses and lower-cased Resource Graph rows
land on the same code; Microsoft Graph directory objects are the Entra service's input.

Each module registers with :func:`aispm_graph.transforms.registry.service`, naming the ARM
types it reads. Services run in this order (``order`` in brackets), because some read nodes
or addresses that earlier ones made:

* ``resource-manager`` (0): subscriptions, resource groups, management groups;
* ``security`` (1): Defender for Cloud plans, as facts on subscriptions;
* ``managedidentity`` (10); ``network`` (20): NSGs, VNets, subnets, public IPs, NICs, private
  endpoints, load balancers;
* ``compute`` (30): VMs and scale sets with their network layers (needs network);
* ``cognitiveservices`` (40), ``storage`` (50), ``search`` (51), ``keyvault`` (52);
* ``machinelearning`` (60): needs storage and key vaults; ``authorization`` (70);
* ``containment`` (80): ``CONTAINS`` for every resource node made so far;
* ``connections`` (90): resolves hub connections to AI accounts, search and storage;
* ``foundry-agents`` (92): Foundry agents and their tools, resolved to project connections,
  search services, deployments and the project's managed identity;
* ``entra`` (100): enriches the principals every other service made.

Edges need no order: the builder keeps an edge until both ends exist. Each resource is handled
under a per-record guard: a malformed one is skipped with a warning naming it.
"""

from __future__ import annotations

import sys

from aispm_graph.build import BuildContext, transform
from aispm_graph.graph.model import Graph
from aispm_graph.plugins import import_submodules
from aispm_graph.transforms.azure.builder import (
    DIRECTORY_OBJECTS,
    RESOURCE_IDS,
    AzureBuilder,
)
from aispm_graph.transforms.registry import declared_reads
from aispm_graph.workspace import Document

import_submodules(sys.modules[__name__])


def handled_types() -> set[str]:
    """ARM types some service reads; the others are counted as not modelled."""
    return {str(r) for r in declared_reads("azure") if r not in (RESOURCE_IDS, DIRECTORY_OBJECTS)}


@transform("azure")
def transform_azure(docs: list[Document], graph: Graph, ctx: BuildContext) -> None:
    builder = AzureBuilder(graph, ctx)
    builder.add_documents(docs)
    builder.run_services()
    handled = handled_types()
    unknown = sum(len(v) for t, v in builder.by_type.items() if t not in handled)
    ctx.stats["azure.unmodelled_resources"] += unknown
    builder.finish()
