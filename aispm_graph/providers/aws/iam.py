"""Moved to :mod:`aispm_graph.knowledge.aws.iam` (pure provider knowledge, no API calls).

This re-export keeps the old import path working for code written before the move; new code
imports :mod:`aispm_graph.knowledge.aws.iam`. To be removed once no branch imports it.
"""

from __future__ import annotations

from aispm_graph.knowledge.aws.iam import (
    WORK as WORK,
)
from aispm_graph.knowledge.aws.iam import (
    Decision as Decision,
)
from aispm_graph.knowledge.aws.iam import (
    PolicyError as PolicyError,
)
from aispm_graph.knowledge.aws.iam import (
    Principal as Principal,
)
from aispm_graph.knowledge.aws.iam import (
    Resource as Resource,
)
from aispm_graph.knowledge.aws.iam import (
    Statement as Statement,
)
from aispm_graph.knowledge.aws.iam import (
    Tri as Tri,
)
from aispm_graph.knowledge.aws.iam import (
    WorkCounts as WorkCounts,
)
from aispm_graph.knowledge.aws.iam import (
    account_of as account_of,
)
from aispm_graph.knowledge.aws.iam import (
    action_matches as action_matches,
)
from aispm_graph.knowledge.aws.iam import (
    any_action_matches as any_action_matches,
)
from aispm_graph.knowledge.aws.iam import (
    evaluate as evaluate,
)
from aispm_graph.knowledge.aws.iam import (
    evaluate_condition as evaluate_condition,
)
from aispm_graph.knowledge.aws.iam import (
    glob_match as glob_match,
)
from aispm_graph.knowledge.aws.iam import (
    parse_policy as parse_policy,
)
from aispm_graph.knowledge.aws.iam import (
    pattern_overlaps_prefix as pattern_overlaps_prefix,
)
from aispm_graph.knowledge.aws.iam import (
    principal_match as principal_match,
)
from aispm_graph.knowledge.aws.iam import (
    principal_values as principal_values,
)
from aispm_graph.knowledge.aws.iam import (
    public_grants as public_grants,
)
from aispm_graph.knowledge.aws.iam import (
    resource_set as resource_set,
)
from aispm_graph.knowledge.aws.iam import (
    service_principals as service_principals,
)
from aispm_graph.knowledge.aws.iam import (
    statement_applies as statement_applies,
)
from aispm_graph.knowledge.aws.iam import (
    statement_json as statement_json,
)
from aispm_graph.knowledge.aws.iam import (
    undecided_statements as undecided_statements,
)
