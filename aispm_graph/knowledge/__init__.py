"""Pure provider knowledge: what an AWS policy allows, how an ARM id or a GCP resource name is
built, what a built-in role grants.

Nothing here calls a cloud API or reads the workspace, so transforms, derivers and analysis
import it freely; collectors (``aispm_graph.providers``) import it too. The import-linter
contracts in ``pyproject.toml`` keep it that way.
"""
