"""Import every module of a package, so providers and commands register by existing.

Adding a transform, deriver or command is adding a file; no central list to edit (and no
merge conflicts between people working on different providers).
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def import_submodules(package: ModuleType) -> None:
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{package.__name__}.{info.name}")
