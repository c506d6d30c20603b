"""Moved to :mod:`aispm_graph.knowledge.gcp.names` (pure provider knowledge, no API calls).

This re-export keeps the old import path working for code written before the move; new code
imports :mod:`aispm_graph.knowledge.gcp.names`. To be removed once no branch imports it.
"""

from __future__ import annotations

from aispm_graph.knowledge.gcp.names import (
    IAM_DOMAIN as IAM_DOMAIN,
)
from aispm_graph.knowledge.gcp.names import (
    SAOwner as SAOwner,
)
from aispm_graph.knowledge.gcp.names import (
    bucket_id as bucket_id,
)
from aispm_graph.knowledge.gcp.names import (
    is_service_agent as is_service_agent,
)
from aispm_graph.knowledge.gcp.names import (
    sa_id as sa_id,
)
from aispm_graph.knowledge.gcp.names import (
    sa_owner as sa_owner,
)
from aispm_graph.knowledge.gcp.names import (
    sa_project as sa_project,
)
