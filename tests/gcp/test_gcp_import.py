"""``aispm import gcp-asset-export``: offline NDJSON into the same transform, and bad input."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aispm_graph.demo import demo_documents, load_demo_parts
from aispm_graph.providers.gcp.assets import AssetRecordError, normalize
from aispm_graph.workspace import decompress_json
from tests.gcp.conftest import DEMO_ASSETS, LOCAL_EXAMPLES, build, demo_records
from tests.gcp.test_gcp_paths import EXPECTED_ROUTES, routes
from tests.support.cli import invoke_cli


def write_ndjson(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_import_export_then_build(tmp_path: Path) -> None:
    export = write_ndjson(tmp_path / "acme.ndjson", demo_records())
    ws = tmp_path / "ws"
    res = invoke_cli("import", "gcp-asset-export", str(export), workspace=ws)
    assert res.code == 0, res.err
    assert f"imported {len(demo_records())} asset records from 1 file(s)" in res.err
    assert invoke_cli("build", workspace=ws).code == 0
    res = invoke_cli("paths", "--format", "json", workspace=ws)
    assert res.code == 0, res.err
    assert {tuple(n["id"] for n in p["nodes"]) for p in res.json()["paths"]} == EXPECTED_ROUTES


def test_import_policy_library_array_form(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    files = [str(p) for p in sorted(LOCAL_EXAMPLES.glob("cai_*.json"))]
    res = invoke_cli("import", "gcp-asset-export", *files, workspace=ws)
    assert res.code == 0, res.err
    assert invoke_cli("build", workspace=ws).code == 0
    res = invoke_cli("paths", "--format", "json", workspace=ws)
    assert res.code == 0
    # The world-writable bucket is public, but nothing marks it as AI data: no target.
    assert res.json()["paths"] == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"name": "//x/y", "asset_type": "a/B", "resource": {"data": {}}}\n{"name": ',
            "line 2: invalid JSON",
        ),
        ('{"name": "//x/y", "resource": {"data": {}}}\n', "line 1: field 'asset_type'"),
        ('{"name": "x", "asset_type": "a/B", "resource": {}}\n', "line 1: field 'name'"),
        ("[1, 2]\n", "record 1: record is a int"),
        ('{"name": "//x/y", "asset_type": "a/B"}\n', "neither 'resource' nor 'iam_policy'"),
        (
            '{"name": "//x/y", "asset_type": "a/B", "iam_policy": {"bindings": [{}]}}\n',
            "iam_policy.bindings[0].role",
        ),
        ("[" * 5000 + "]" * 5000 + "\n", "invalid JSON"),
        ("\n\n", "no asset records"),
    ],
)
def test_bad_export_is_rejected_with_its_place(tmp_path: Path, content: str, message: str) -> None:
    good = write_ndjson(tmp_path / "good.ndjson", demo_records()[:5])
    bad = tmp_path / "bad.ndjson"
    bad.write_text(content, encoding="utf-8")
    ws = tmp_path / "ws"
    res = invoke_cli("import", "gcp-asset-export", str(good), str(bad), workspace=ws)
    assert res.code == 2, res.err
    assert message in res.err
    assert "bad.ndjson" in res.err
    assert "Traceback" not in res.err
    assert not (ws / "snapshots").exists()  # one bad file changes nothing


def test_deeply_nested_line_and_binary_file(tmp_path: Path) -> None:
    deep = tmp_path / "deep.ndjson"
    deep.write_text('{"a": ' * 100_000 + "1" + "}" * 100_000 + "\n", encoding="utf-8")
    res = invoke_cli("import", "gcp-asset-export", str(deep), workspace=tmp_path / "ws")
    assert res.code == 2 and "deep.ndjson: line 1" in res.err and "Traceback" not in res.err
    binary = tmp_path / "blob.ndjson"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    res = invoke_cli("import", "gcp-asset-export", str(binary), workspace=tmp_path / "ws")
    assert res.code == 2 and "not UTF-8" in res.err


def test_demo_loader_and_manifest_part(tmp_path: Path) -> None:
    docs = demo_documents("gcp", DEMO_ASSETS.parents[1])
    assert {d.source for d in docs} == {"gcp"}
    assert sum(len(d.body["assets"]) for d in docs) == len(demo_records())
    # The lead's manifest mechanism ("documents" parts) loads the same recording.
    base = tmp_path / "demo"
    (base / "gcp").mkdir(parents=True)
    (base / "gcp" / "assets.json").write_bytes(DEMO_ASSETS.read_bytes())
    (base / "manifest.json").write_text(
        json.dumps(
            {
                "parts": [
                    {
                        "source": "gcp",
                        "scope": "demo-gcp",
                        "files": ["gcp/assets.json"],
                        "format": "documents",
                    }
                ]
            }
        )
    )
    [(source, scope, part_docs, _meta)] = load_demo_parts(base)
    assert (source, scope) == ("gcp", "demo-gcp")
    assert [d.body for d in part_docs] == [d.body for d in docs]


# -- hostile records: the transform warns and goes on, never crashes ---------------------------
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(JSON)
@settings(max_examples=200, deadline=None)
def test_normalize_only_raises_record_errors(value: Any) -> None:
    with contextlib.suppress(AssetRecordError):
        normalize(value)


@given(st.integers(min_value=0, max_value=10_000), JSON)
@settings(
    max_examples=int(os.environ.get("AISPM_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
def test_transform_survives_corrupted_records(seed: int, junk: Any) -> None:
    rng = random.Random(seed)
    records = copy.deepcopy(demo_records())
    for rec in rng.sample(records, 12):
        # Walk a random depth into the record and replace what is there with junk.
        node: Any = rec
        for _ in range(rng.randint(1, 5)):
            if isinstance(node, dict) and node:
                key = rng.choice(sorted(node))
                if rng.random() < 0.3 or not isinstance(node[key], dict | list):
                    node[key] = junk
                    break
                node = node[key]
            elif isinstance(node, list) and node:
                i = rng.randrange(len(node))
                if rng.random() < 0.3 or not isinstance(node[i], dict | list):
                    node[i] = junk
                    break
                node = node[i]
    graph, _ctx = build(records)
    routes(graph)  # the engine runs on whatever survived


def test_secret_values_are_scrubbed_on_import(tmp_path: Path) -> None:
    loc = "projects/p/locations/us-central1"
    secret_values = ["sk-model-env", "sk-agent-env", "basic-auth-pw", "PRIVATE KEY", "s3cr3t-fn"]
    records = [
        {
            "name": f"//aiplatform.googleapis.com/{loc}/models/1",
            "asset_type": "aiplatform.googleapis.com/Model",
            "resource": {
                "data": {"containerSpec": {"env": [{"name": "K", "value": "sk-model-env"}]}}
            },
        },
        {
            "name": f"//aiplatform.googleapis.com/{loc}/reasoningEngines/2",
            "asset_type": "aiplatform.googleapis.com/ReasoningEngine",
            "resource": {
                "data": {
                    "spec": {
                        "deploymentSpec": {"env": [{"name": "TOKEN", "value": "sk-agent-env"}]}
                    }
                }
            },
        },
        {
            "name": f"//container.googleapis.com/{loc}/clusters/c",
            "asset_type": "container.googleapis.com/Cluster",
            "resource": {
                "data": {"masterAuth": {"password": "basic-auth-pw", "clientKey": "PRIVATE KEY"}}
            },
        },
        {
            "name": f"//cloudfunctions.googleapis.com/{loc}/functions/f",
            "asset_type": "cloudfunctions.googleapis.com/Function",
            "resource": {"data": {"serviceConfig": {"environmentVariables": {"PW": "s3cr3t-fn"}}}},
        },
    ]
    export = write_ndjson(tmp_path / "s.ndjson", records)
    ws = tmp_path / "ws"
    assert invoke_cli("import", "gcp-asset-export", str(export), workspace=ws).code == 0
    files = list((ws / "snapshots").rglob("*.json.zst"))
    assert files
    text = "".join(json.dumps(decompress_json(f.read_bytes())) for f in files)
    assert not [v for v in secret_values if v in text]
    assert '"TOKEN"' in text and '"PW"' in text


def test_metadata_item_with_a_non_string_key_is_redacted_not_a_crash() -> None:
    # Found by the transform fuzz test: a list as a metadata key made the safe-key lookup raise.
    from aispm_graph.providers.gcp.assets import REDACTED, scrub

    asset = {
        "asset_type": "compute.googleapis.com/Instance",
        "resource": {
            "data": {"metadata": {"items": [{"key": ["startup-script"], "value": "TOKEN=abc"}]}}
        },
    }
    item = scrub(asset)["resource"]["data"]["metadata"]["items"][0]
    assert item["value"] == REDACTED
