"""Source transforms: raw documents of one source into nodes and edges.

Each module registers itself with :func:`aispm_graph.build.transform` (provider services with
:func:`aispm_graph.transforms.registry.service`) when imported. :func:`load_all` imports them
all; the build calls it, so importing one helper (``transforms.sbom`` from the CLI) does not
load every provider's transform at start-up.
"""

import sys

from aispm_graph.plugins import import_submodules


def load_all() -> None:
    """Import every transform module (and through them every provider service)."""
    import_submodules(sys.modules[__name__])
