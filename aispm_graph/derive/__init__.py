"""Whole-graph derivations that turn facts into attack-step edges with evidence.

Each module registers its passes with :func:`aispm_graph.build.deriver`.
"""

import sys

from aispm_graph.plugins import import_submodules

import_submodules(sys.modules[__name__])
