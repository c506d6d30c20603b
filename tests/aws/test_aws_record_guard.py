"""A malformed record costs that record only: a warning names it, the build goes on.

Regression: a ``list_functions`` record without ``FunctionArn`` used to stop ``aispm build``
with ``internal error: KeyError`` (exit 3).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.workspace import Document, Workspace
from tests.conftest import run_cli

SNAP = Path(__file__).resolve().parents[2] / "fixtures" / "demo" / "aws" / "aws-123456789012.json"
ACCOUNT = "123456789012"


def _docs_without_function_arn(name: str) -> list[Document]:
    rows = json.loads(SNAP.read_text(encoding="utf-8"))
    out = []
    for row in rows:
        body: dict[str, Any] = copy.deepcopy(row["body"])
        if body.get("operation") == "list_functions":
            fn = next(f for f in body["response"]["Functions"] if f["FunctionName"] == name)
            del fn["FunctionArn"]
        out.append(Document("aws", ACCOUNT, row["key"], body))
    return out


def test_function_without_arn_is_a_warning_naming_the_record() -> None:
    ctx = BuildContext()
    graph = build_graph(_docs_without_function_arn("faq-bot"), ctx)
    assert [w for w in ctx.warnings if "list_functions" in w] == [
        f"aws:{ACCOUNT}: list_functions: record faq-bot: field 'FunctionArn': missing; skipped"
    ]
    functions = {d["name"] for _n, d in graph.nodes("AWSLambda")}
    assert "faq-bot" not in functions
    assert "chatbot" in functions  # the other records of the same answer are kept


def test_build_cli_exits_0_and_prints_the_warning(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    Workspace(ws).open_for_write().put_source(
        "aws", ACCOUNT, _docs_without_function_arn("chatbot"), {}
    )
    res = run_cli("build", workspace=ws)
    assert res.code == 0, res.err
    text = res.out + res.err
    assert "list_functions: record chatbot: field 'FunctionArn': missing; skipped" in text
    assert "internal error" not in text
