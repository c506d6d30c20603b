"""Privilege-escalation techniques of the three clouds, declared as data.

Pure knowledge: records only (:mod:`.model`), one module per cloud. The derivers that apply
them live under :mod:`aispm_graph.derive`; ``docs/escalation.md`` is generated from them
(``python -m aispm_graph.escalation.docs docs/escalation.md``).
"""

from __future__ import annotations

from aispm_graph.escalation.aws import TECHNIQUES as AWS_TECHNIQUES
from aispm_graph.escalation.azure import TECHNIQUES as AZURE_RBAC_TECHNIQUES
from aispm_graph.escalation.entra import TECHNIQUES as ENTRA_TECHNIQUES
from aispm_graph.escalation.gcp import TECHNIQUES as GCP_TECHNIQUES
from aispm_graph.escalation.model import Cloud, On, Refs, Technique

# Azure: the Azure RBAC records, then the Entra ID (directory) ones.
AZURE_TECHNIQUES: tuple[Technique, ...] = (*AZURE_RBAC_TECHNIQUES, *ENTRA_TECHNIQUES)
ALL_TECHNIQUES: tuple[Technique, ...] = (*AWS_TECHNIQUES, *AZURE_TECHNIQUES, *GCP_TECHNIQUES)

__all__ = [
    "ALL_TECHNIQUES",
    "AWS_TECHNIQUES",
    "AZURE_RBAC_TECHNIQUES",
    "AZURE_TECHNIQUES",
    "ENTRA_TECHNIQUES",
    "GCP_TECHNIQUES",
    "Cloud",
    "On",
    "Refs",
    "Technique",
]
