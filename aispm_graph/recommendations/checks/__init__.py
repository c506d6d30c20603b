"""The built-in catalogue, one module per area; each module holds a ``CHECKS`` list of
declarations. Adding a check is adding an entry to one of these lists (or a new module
listed in :data:`MODULES`)."""

from __future__ import annotations

from aispm_graph.recommendations.checks import (
    aws_bedrock,
    aws_sagemaker,
    azure_ai,
    common,
    gcp_dialogflow,
    gcp_vertex,
    provenance,
)

MODULES = (azure_ai, aws_bedrock, aws_sagemaker, gcp_vertex, gcp_dialogflow, common, provenance)
