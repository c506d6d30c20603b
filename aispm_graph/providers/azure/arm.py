"""Moved to :mod:`aispm_graph.knowledge.azure.arm` (pure provider knowledge, no API calls).

This re-export keeps the old import path working for code written before the move; new code
imports :mod:`aispm_graph.knowledge.azure.arm`. To be removed once no branch imports it.
"""

from __future__ import annotations

from aispm_graph.knowledge.azure.arm import (
    MG_PREFIX as MG_PREFIX,
)
from aispm_graph.knowledge.azure.arm import (
    in_scope as in_scope,
)
from aispm_graph.knowledge.azure.arm import (
    name_of as name_of,
)
from aispm_graph.knowledge.azure.arm import (
    norm as norm,
)
from aispm_graph.knowledge.azure.arm import (
    parent_of as parent_of,
)
from aispm_graph.knowledge.azure.arm import (
    resource_group_of as resource_group_of,
)
from aispm_graph.knowledge.azure.arm import (
    resource_type as resource_type,
)
from aispm_graph.knowledge.azure.arm import (
    subscription_id_of as subscription_id_of,
)
from aispm_graph.knowledge.azure.arm import (
    subscription_of as subscription_of,
)
