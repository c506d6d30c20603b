"""The knowledge modules moved out of ``providers/``; the old import paths still resolve to
the same objects, so code written against them (branches merged later) keeps working."""

from __future__ import annotations

import importlib
import types

import pytest

MOVED = {
    "aispm_graph.providers.aws.iam": "aispm_graph.knowledge.aws.iam",
    "aispm_graph.providers.azure.arm": "aispm_graph.knowledge.azure.arm",
    "aispm_graph.providers.azure.roles": "aispm_graph.knowledge.azure.roles",
    "aispm_graph.providers.azure.directory": "aispm_graph.knowledge.azure.directory",
    "aispm_graph.providers.gcp.names": "aispm_graph.knowledge.gcp.names",
    "aispm_graph.providers.gcp.roles": "aispm_graph.knowledge.gcp.roles",
}


@pytest.mark.parametrize(("old", "new"), sorted(MOVED.items()))
def test_old_path_re_exports_every_public_name(old: str, new: str) -> None:
    shim, module = importlib.import_module(old), importlib.import_module(new)
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and getattr(value, "__module__", new) == new
    }
    missing = sorted(name for name in public if getattr(shim, name, None) is not vars(module)[name])
    assert not missing, f"{old} does not re-export {missing} from {new}"
