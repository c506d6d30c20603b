"""The schema is the single source of truth: docs are generated and must be fresh."""

from __future__ import annotations

from pathlib import Path

from aispm_graph.schema import EDGE_KINDS, NODE_KINDS, attack_edge_kinds, keys_gen
from aispm_graph.schema.docs import render
from aispm_graph.schema.keys import E, P

REPO = Path(__file__).resolve().parents[2]


def test_docs_schema_md_is_fresh() -> None:
    current = (REPO / "docs" / "schema.md").read_text(encoding="utf-8")
    assert current == render(), (
        "docs/schema.md is stale: python -m aispm_graph.schema.docs docs/schema.md"
    )


def test_generated_key_names_are_fresh() -> None:
    assert keys_gen.TARGET.read_text(encoding="utf-8") == keys_gen.render(), (
        "aispm_graph/schema/keys.py is stale: python -m aispm_graph.schema.keys_gen"
    )


def test_key_names_cover_every_declared_property_and_evidence_key() -> None:
    props = {p.name for k in NODE_KINDS for p in k.props}
    assert props <= {v for k, v in vars(P).items() if k.isupper()}
    assert {k for e in EDGE_KINDS for k in e.evidence_keys} <= {
        v for k, v in vars(E).items() if k.isupper()
    }
    assert P.PUBLIC_IP == "public_ip" and E.GRANT == "grant"


def test_every_attack_step_has_a_remediation_template() -> None:
    for e in EDGE_KINDS:
        if e.attack_step:
            assert e.remediation, e.name
    assert "CONTAINS" not in attack_edge_kinds()


def test_every_provider_has_ai_targets_and_tenants() -> None:
    for provider in ("aws", "azure", "gcp"):
        kinds = [k for k in NODE_KINDS if k.provider.value == provider]
        assert any(k.target and k.target.value == "ai_model" for k in kinds), provider
        assert any(k.target and k.target.value == "tenant_admin" for k in kinds), provider
