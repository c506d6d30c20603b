"""Posture checks on AI resources, declared as data and prioritised by the attack paths."""

# Additive check modules register themselves with the catalogue on import.
from aispm_graph.recommendations import agents as _agents  # noqa: F401
