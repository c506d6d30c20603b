"""A model whose artefact deserialises unsafely ranks higher, and says why."""

from __future__ import annotations

from aispm_graph.analysis.engine import find_paths
from aispm_graph.analysis.explain import explain
from aispm_graph.graph.model import Graph


def estate(unsafe: bool) -> Graph:
    g = Graph()
    g.ensure_internet()
    g.add_node(
        "m", "SageMakerModel", "fraud-model", vuln_factors=["unsafe-model"] if unsafe else []
    )
    g.add_node("h", "EC2Instance", "h", public_ip="1.2.3.4")
    g.add_node("r", "AWSRole", "r")
    g.add_edge("internet", "h", "INTERNET_EXPOSED", {"exposure_width": "any"})
    g.add_edge("h", "r", "HAS_IDENTITY", {"mechanism": "imds"})
    g.add_edge("r", "m", "CAN_INVOKE", {"permission": "sagemaker:InvokeEndpoint"})
    return g


def test_unsafe_model_raises_impact_and_explains_itself() -> None:
    safe = find_paths(estate(False)).paths[0]
    unsafe = find_paths(estate(True)).paths[0]
    assert unsafe.risk.score > safe.risk.score
    assert any(f.name == "unsafe-model" for f in unsafe.risk.factors)
    assert explain(unsafe).consistent
