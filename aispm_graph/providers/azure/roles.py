"""Moved to :mod:`aispm_graph.knowledge.azure.roles` (pure provider knowledge, no API calls).

This re-export keeps the old import path working for code written before the move; new code
imports :mod:`aispm_graph.knowledge.azure.roles`. To be removed once no branch imports it.
"""

from __future__ import annotations

from aispm_graph.knowledge.azure.roles import (
    RoleDefinition as RoleDefinition,
)
from aispm_graph.knowledge.azure.roles import (
    builtin_by_name as builtin_by_name,
)
from aispm_graph.knowledge.azure.roles import (
    builtin_roles as builtin_roles,
)
from aispm_graph.knowledge.azure.roles import (
    from_arm as from_arm,
)
from aispm_graph.knowledge.azure.roles import (
    role_guid as role_guid,
)
