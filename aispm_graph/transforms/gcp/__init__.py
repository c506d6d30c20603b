"""The ``gcp`` source: Cloud Asset Inventory records into GCP nodes and structural edges, one
module per Google Cloud service.

Each module registers with :func:`aispm_graph.transforms.registry.service`, naming the Cloud
Asset types it reads. Services run in this order (``order`` in brackets), because some read
nodes or lookups that earlier ones made:

* ``resourcemanager`` (0): organisations, folders, projects (ancestors of everything);
* ``lookups`` (5): runtime templates and load-balancer targets (no nodes);
* ``apikeys`` (5): API keys and enabled services, as Gemini API facts on projects;
* ``iam`` (10): service accounts, keys, custom roles;
* ``compute`` (20): networks, subnetworks, instances, firewalls, forwarding rules;
* ``storage`` (30), ``secretmanager`` (31), ``run`` (40), ``cloudfunctions`` (41),
  ``container`` (42);
* ``aiplatform`` (50): Vertex AI; ``notebooks`` (55): Workbench, after its backing VM;
* ``discoveryengine`` (60): Agent Builder data stores and apps.

Then the builder's whole-source passes (:meth:`GcpBuilder.finish`): firewall targeting
(``PROTECTED_BY``), organisation policies, pipeline lineage (``TRAINED_ON``) and custom roles;
finally group membership from the collector's Cloud Identity document
(:mod:`aispm_graph.transforms.gcp_groups`) as ``MEMBER_OF`` edges.
"""

from __future__ import annotations

import sys

from aispm_graph.build import BuildContext, transform
from aispm_graph.graph.model import Graph
from aispm_graph.plugins import import_submodules
from aispm_graph.transforms.gcp.builder import GcpBuilder, merge_documents
from aispm_graph.transforms.gcp_groups import is_groups_document, link_members, read_groups
from aispm_graph.workspace import Document

import_submodules(sys.modules[__name__])


@transform("gcp")
def transform_gcp(docs: list[Document], graph: Graph, ctx: BuildContext) -> None:
    group_docs = [d for d in docs if is_groups_document(d)]
    assets = merge_documents([d for d in docs if not is_groups_document(d)], ctx)
    builder = GcpBuilder(assets, graph, ctx)
    builder.run_services()
    builder.finish()
    if group_docs:
        bound = (
            str(member)
            for asset in assets.by_name.values()
            for binding in (asset.get("iam_policy") or {}).get("bindings") or []
            for member in binding.get("members") or []
        )
        link_members(graph, ctx, read_groups(group_docs, ctx), bound, builder.sa_node)
    ctx.stats["gcp_assets"] += len(assets.by_name)
