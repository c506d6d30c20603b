"""Moved to :mod:`aispm_graph.knowledge.gcp.roles` (pure provider knowledge, no API calls).

This re-export keeps the old import path working for code written before the move; new code
imports :mod:`aispm_graph.knowledge.gcp.roles`. To be removed once no branch imports it.
"""

from __future__ import annotations

from aispm_graph.knowledge.gcp.roles import (
    RoleSpec as RoleSpec,
)
from aispm_graph.knowledge.gcp.roles import (
    custom_role as custom_role,
)
from aispm_graph.knowledge.gcp.roles import (
    modelled_permissions as modelled_permissions,
)
from aispm_graph.knowledge.gcp.roles import (
    predefined_roles as predefined_roles,
)
from aispm_graph.knowledge.gcp.roles import (
    source_note as source_note,
)
