"""One coverage vocabulary for every collector: a unit half read is ``partial``, not failed."""

from __future__ import annotations

from rich.console import Console

from aispm_graph.providers.coverage import (
    Coverage,
    Status,
    gaps,
    merge_rows,
    render_coverage,
    status_of,
)


def test_some_calls_answered_and_some_refused_is_partial() -> None:
    cov = Coverage("bedrock", "us-east-1")
    cov.succeeded()
    cov.record("denied", "get_guardrail: AccessDeniedException")
    assert cov.status is Status.PARTIAL
    assert cov.detail == "get_guardrail: AccessDeniedException"


def test_a_success_after_a_failure_is_partial_too() -> None:
    cov = Coverage("lambda", "eu-west-1")
    cov.record("failed", "list_functions: HTTP 501")
    assert cov.status is Status.FAILED
    cov.succeeded()
    assert cov.status is Status.PARTIAL


def test_nothing_answered_keeps_the_worst_reason() -> None:
    cov = Coverage("kms", "us-east-1")
    cov.record("denied", "a")
    cov.record("failed", "b")
    assert (cov.status, cov.errors) == (Status.FAILED, ["a", "b"])


def test_per_parent_rows_fold_into_one_and_mixed_outcomes_are_partial() -> None:
    rows = [
        Coverage("Microsoft.CognitiveServices/accounts/deployments", status=Status.OK, count=2),
        Coverage(
            "Microsoft.CognitiveServices/accounts/deployments",
            status=Status.DENIED,
            errors=["HTTP 403"],
        ),
        Coverage("Microsoft.KeyVault/vaults", status=Status.DENIED, errors=["HTTP 403"]),
    ]
    merged = {r.service: (r.status, r.count, r.errors) for r in merge_rows(rows)}
    assert merged == {
        "Microsoft.CognitiveServices/accounts/deployments": (Status.PARTIAL, 2, ["HTTP 403"]),
        "Microsoft.KeyVault/vaults": (Status.DENIED, 0, ["HTTP 403"]),
    }
    assert [g.service for g in gaps(merge_rows(rows))] == [
        "Microsoft.CognitiveServices/accounts/deployments",
        "Microsoft.KeyVault/vaults",
    ]


def test_words_of_older_snapshots_read_as_todays() -> None:
    assert [status_of(w) for w in ("collected", "error", "permission-denied", "truncated")] == [
        Status.OK,
        Status.FAILED,
        Status.DENIED,
        Status.PARTIAL,
    ]
    old_aws_row = {"service": "s3", "region": "global", "status": "collected", "calls": 4}
    row = Coverage.from_dict(old_aws_row)
    assert (row.scope, row.status, row.calls) == ("global", Status.OK, 4)
    assert Coverage.from_dict(row.as_dict()) == row


def test_one_table_for_every_provider_escapes_estate_strings() -> None:
    rows = [
        Coverage("s3", "global", status=Status.OK, calls=3),
        Coverage("iam", "global", status=Status.DENIED, errors=["[bold]AccessDenied[/]"]),
    ]
    console = Console(width=200, record=True)
    console.print(render_coverage(rows, "AWS account 1: coverage", scope="region"))
    text = console.export_text()
    assert "[bold]AccessDenied[/]" in text  # shown as text, not taken as markup
    lines = {tuple(c.strip() for c in line.split("│")[1:4]) for line in text.splitlines()}
    assert {("s3", "global", "ok"), ("iam", "global", "denied")} <= lines
