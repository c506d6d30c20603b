"""Moved to :mod:`aispm_graph.knowledge.azure.directory` (pure provider knowledge, no API calls).

This re-export keeps the old import path working for code written before the move; new code
imports :mod:`aispm_graph.knowledge.azure.directory`. To be removed once no branch imports it.
"""

from __future__ import annotations

from aispm_graph.knowledge.azure.directory import (
    MEMBERS_FIELD as MEMBERS_FIELD,
)
from aispm_graph.knowledge.azure.directory import (
    MICROSOFT_TENANT as MICROSOFT_TENANT,
)
from aispm_graph.knowledge.azure.directory import (
    UNKNOWN_HOME as UNKNOWN_HOME,
)
from aispm_graph.knowledge.azure.directory import (
    PrincipalInfo as PrincipalInfo,
)
from aispm_graph.knowledge.azure.directory import (
    classify_principal as classify_principal,
)
from aispm_graph.knowledge.azure.directory import (
    guest_home as guest_home,
)
