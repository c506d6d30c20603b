"""Source transforms: raw documents of one source into nodes and edges.

Each module registers itself with :func:`aispm_graph.build.transform`; importing this package
loads them all (see :mod:`aispm_graph.plugins`).
"""

import sys

from aispm_graph.plugins import import_submodules

import_submodules(sys.modules[__name__])
