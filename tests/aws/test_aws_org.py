"""Organisation-wide AWS collection against moto: ``aispm collect aws --org`` as users run it.

The organisation (``fixtures/aws/build_moto_org.py``) has a management account and four
members; ``legacy`` lost its ``OrganizationAccountAccessRole``. STS goes through
``fixtures/aws/sts_gate.py``, which answers ``AccessDenied`` for a role that does not exist, as
real STS does (moto would hand out credentials for any ARN).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from aispm_graph.analysis.engine import PathOptions, find_paths
from aispm_graph.build import BuildContext, build_graph
from aispm_graph.graph.model import Graph
from aispm_graph.providers.aws.collect import CollectOptions
from aispm_graph.providers.aws.org import OrgOptions, collect_org, read_organization
from aispm_graph.workspace import Workspace
from fixtures.aws import build_moto_org as org_fixture
from fixtures.aws.cloudtrail_history import CloudTrailHistory
from fixtures.aws.sts_gate import StsGate
from tests.aws.aws_moto import MotoEnv
from tests.support.cli import run_in_terminal
from tests.support.graph import pairs as edges

ROOT = Path(__file__).resolve().parents[2]
SERVICES = "iam,s3,bedrock,kms"


@dataclass
class Org:
    ids: dict[str, str]
    env: dict[str, str]
    gate: StsGate

    def member(self, name: str) -> Any:
        return org_fixture.member_session(self.env["AWS_ENDPOINT_URL"], self.ids[name])


@pytest.fixture(scope="module")
def org(moto_env: MotoEnv) -> Iterator[Org]:
    moto_env.reset()
    gate = StsGate(moto_env.url).start()
    env = {
        **moto_env.env,
        "AWS_ENDPOINT_URL_STS": gate.url,
        # moto itself for Bedrock: the demo's recorded answers belong to another account
        "AWS_ENDPOINT_URL_BEDROCK": moto_env.url,
        "AWS_ENDPOINT_URL_BEDROCK_AGENT": moto_env.url,
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        ids = org_fixture.build_org(boto3.Session(region_name=org_fixture.REGION), moto_env.url)
        yield Org(ids, env, gate)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        gate.stop()
        moto_env.reset()


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aispm_graph", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
        cwd=ROOT,
    )


def org_args(ws: Path, *extra: str, workers: int = 3) -> list[str]:
    """``collect aws --org`` over the test organisation, JSON out."""
    return [
        *("--workspace", str(ws), "-q", "collect", "aws", "--org", "--regions", "us-east-1"),
        *("--services", SERVICES, "--max-workers", str(workers), "--format", "json", *extra),
    ]


def collect_cli(org: Org, ws: Path, *extra: str) -> dict[str, Any]:
    res = run(
        org_args(ws, *extra),
        org.env,
    )
    assert res.returncode == 0, res.stderr
    out: dict[str, Any] = json.loads(res.stdout)
    return out


def sources(ws: Path) -> dict[str, dict[str, Any]]:
    snap = Workspace(ws).current()
    assert snap is not None
    return {s["scope"]: s for s in snap.sources()}


def built(ws: Path) -> Graph:
    snap = Workspace(ws).current()
    assert snap is not None
    return build_graph(list(snap.documents()), BuildContext())


@pytest.fixture(scope="module")
def graph(org: Org) -> Graph:
    """The organisation collected in-process (the same code the CLI runs) and built."""
    session = boto3.Session(region_name=org_fixture.REGION)
    organization = read_organization(session)
    options = OrgOptions(
        base=CollectOptions(regions=["us-east-1"], services=tuple(SERVICES.split(","))),
        max_workers=3,
    )
    outcomes = {o.account: o for o in collect_org(options, organization, session)}
    assert {a: o.status for a, o in outcomes.items()} == {
        org.ids["management"]: "collected",
        org.ids["apps"]: "collected",
        org.ids["ml"]: "collected",
        org.ids["sandbox"]: "collected",
        org.ids["legacy"]: "failed",
    }
    docs = [d for o in outcomes.values() if o.result for d in o.result.documents]
    return build_graph(docs, BuildContext())


def test_cross_account_assumption_needs_the_callers_allow(org: Org, graph: Graph) -> None:
    # ci-bot (apps) may assume ml-deployer (ml): the trust names it and its own policy allows
    # it. ml-reader trusts ci-bot as well, but ci-bot's policy does not allow assuming it, and
    # across accounts the trust alone is not enough.
    assert edges(graph, "CAN_ASSUME") == {(org.ids["ci_bot"], org.ids["deployer"])}


def test_scps_from_the_management_account_apply_to_members(org: Org, graph: Graph) -> None:
    invoke = edges(graph, "CAN_INVOKE")
    assert (org.ids["ml_dev"], org.ids["model"]) in invoke
    # sb-dev has the same policy, but the Sandbox OU's SCP denies bedrock:*
    assert not {e for e in invoke if e[0] == org.ids["sb_dev"]}
    sandbox = graph.node(f"arn:aws:iam::{org.ids['sandbox']}:root")
    names = {p["name"] for level in sandbox["scps"] for p in level}
    assert "deny-bedrock" in names
    # resource control policies are kept apart from SCPs
    assert {p["name"] for level in sandbox["rcps"] for p in level} == {"RCPFullAWSAccess"}
    # no identity reaches a model in another account (models have no resource policy);
    # foundation models belong to no account (their ARN has none): each account invokes them
    assert {
        (s, t) for s, t in invoke if t.split(":")[4] and s.split(":")[4] != t.split(":")[4]
    } == set()


def test_uncollected_account_is_an_external_node(org: Org, graph: Graph) -> None:
    ext = f"arn:aws:iam::{org_fixture.EXTERNAL}:root"
    assert graph.node(ext)["kind"] == "ExternalAccount"
    assert graph.node(ext)["risk"] == "unknown"
    reads = {(s, t, d["confidence"]) for s, t, d in graph.edges("CAN_READ") if s == ext}
    assert reads == {(ext, org.ids["bucket"], "inferred")}
    # the legacy member could not be entered; nothing in the graph invents its resources
    assert not any(n.startswith(f"arn:aws:iam::{org.ids['legacy']}:") for n, _ in graph.nodes())


def test_cross_account_path_to_the_training_bucket(org: Org, graph: Graph) -> None:
    result = find_paths(graph, PathOptions(entry="credentials"))
    routes = {tuple(n.id for n in p.nodes) for p in result.paths}
    key = f"arn:aws:iam::{org.ids['apps']}:access-key/{org.ids['ci_key']}"
    ext = f"arn:aws:iam::{org_fixture.EXTERNAL}:root"
    assert routes == {
        # one route per leaked credential: it starts at the key, not again at its user
        (key, org.ids["ci_bot"], org.ids["deployer"], org.ids["bucket"]),
        # the partner account outside the organisation is an entry of unknown risk
        (ext, org.ids["bucket"]),
    }
    path = next(p for p in result.paths if p.entry == key)
    assert [e.kind for e in path.edges] == ["AUTHENTICATES_AS", "CAN_ASSUME", "CAN_READ"]
    assert path.title.startswith("Leaked credentials of ")
    outside = next(p for p in result.paths if p.entry == ext)
    assert outside.title.startswith(f"Outside the estate: AWS account {org_fixture.EXTERNAL} ")
    # the bucket is the custom model's training data
    assert (org.ids["model"], org.ids["bucket"]) in edges(graph, "TRAINED_ON")


def test_cli_org_collect_records_the_failed_member(org: Org, tmp_path: Path) -> None:
    out = collect_cli(org, tmp_path)
    rows = {r["account"]: r for r in out["accounts"]}
    assert {a: r["status"] for a, r in rows.items()} == {
        org.ids["management"]: "collected",
        org.ids["apps"]: "collected",
        org.ids["ml"]: "collected",
        org.ids["sandbox"]: "collected",
        org.ids["legacy"]: "failed",
    }
    reason = rows[org.ids["legacy"]]["reason"]
    assert reason.startswith("cannot assume OrganizationAccountAccessRole: AccessDenied")
    assert (out["collected"], out["failed"]) == (4, 1)
    assert [c["status"] for c in out["organization"]] == ["ok"]
    # each account is its own scope; the failed one is absent, not empty
    assert set(sources(tmp_path)) == {org.ids[n] for n in ("management", "apps", "ml", "sandbox")}
    res = run(["--workspace", str(tmp_path), "-q", "build"], org.env)
    assert res.returncode == 0, res.stderr
    res = run(
        ["--workspace", str(tmp_path), "paths", "--entry", "credentials", "--format", "json"],
        org.env,
    )
    assert res.returncode == 0, res.stderr
    names = {tuple(n["name"] for n in p["nodes"]) for p in json.loads(res.stdout)["paths"]}
    bucket = org.ids["bucket"].removeprefix("arn:aws:s3:::")
    assert (org.ids["ci_key"], "ci-bot", "ml-deployer", bucket) in names
    assert ("ci-bot", "ml-deployer", bucket) not in names  # the key's route is listed once
    # table output names the failed account and why
    table = run(
        ["--workspace", str(tmp_path / "t"), "collect", "aws", "--org", "--services", "iam"],
        org.env,
    )
    assert table.returncode == 0, table.stderr
    assert org.ids["legacy"] in table.stdout and "AccessDenied" in table.stdout


def test_org_collect_at_a_terminal_shows_accounts_services_and_failures(
    org: Org, tmp_path: Path
) -> None:
    """A person running ``collect aws --org`` sees accounts done of total with the failures so
    far, and per account its (service, region) reads done of total, then only the table."""
    ws = str(tmp_path / "ws")
    args = ["-w", ws, "collect", "aws", "--org", "--regions", "us-east-1"]
    res = run_in_terminal([*args, "--services", SERVICES, "--max-workers", "1"], env=org.env)
    assert res.code == 0, res.out
    accounts = re.findall(r"AWS accounts\S*\s+\S*\s+(\d+)/(\d+)", res.out)
    assert accounts and {total for _done, total in accounts} == {"5"}
    assert max(int(done) for done, _total in accounts) >= 4  # counted as accounts finish
    assert re.search(r"AWS accounts.*1 failed", res.out)  # legacy, while the run goes on
    per_account = set(re.findall(r"account (\d{12}): services\S*\s+\S*\s+\d+/(\d+)", res.out))
    collected = {org.ids[n] for n in ("management", "apps", "ml", "sandbox")}
    assert {a for a, _total in per_account} >= collected
    assert all(int(total) >= len(SERVICES.split(",")) for _a, total in per_account)
    assert "left" in res.out
    # The bars are gone at the end; the coverage table and the summary line stay.
    tail = res.out[res.out.rindex("per-account coverage") :]
    assert "AWS accounts" not in tail and ": services" not in tail
    assert "4 collected, 1 failed, 0 skipped" in tail
    # Asked for JSON, or quiet, or not at a terminal: no bar at all, the same result.
    for extra, env in ((["--format", "json"], {}), ([], {"NO_COLOR": "1"})):
        plain = run_in_terminal([*args, "--services", "iam", *extra], env={**org.env, **env})
        assert plain.code == 0 and "AWS accounts" not in plain.out and ": services" not in plain.out
    quiet = run_in_terminal(["-q", *args, "--services", "iam"], env=org.env)
    assert quiet.code == 0 and "AWS accounts" not in quiet.out
    assert "4 collected, 1 failed" in quiet.out  # the final table stays under --quiet
    piped = run([*args, "--services", "iam"], org.env)
    assert piped.returncode == 0 and "AWS accounts" not in piped.stderr + piped.stdout


def test_recollecting_one_account_leaves_the_others(org: Org, tmp_path: Path) -> None:
    collect_cli(org, tmp_path)
    before = sources(tmp_path)
    files = {
        s: (Workspace(tmp_path).current().path / "docs" / e["file"]).read_bytes()  # type: ignore[union-attr]
        for s, e in before.items()
    }
    iam = org.member("ml").client("iam")
    iam.delete_role_policy(RoleName="ml-reader", PolicyName="read-training")
    iam.delete_role(RoleName="ml-reader")
    try:
        out = collect_cli(org, tmp_path, "--accounts", org.ids["ml"])
        assert [r["account"] for r in out["accounts"]] == [org.ids["ml"]]
        after = sources(tmp_path)
        assert set(after) == set(before)
        snap = Workspace(tmp_path).current()
        assert snap is not None
        for scope, entry in after.items():
            if scope == org.ids["ml"]:
                assert entry["taken_at"] != before[scope]["taken_at"]
            else:
                assert entry["taken_at"] == before[scope]["taken_at"]
                assert (snap.path / "docs" / entry["file"]).read_bytes() == files[scope]
        g = built(tmp_path)
        assert not g.has_node(org.ids["reader"])  # stale in ml: gone
        assert g.has_node(org.ids["deployer"])
        assert g.has_node(org.ids["ci_bot"])  # other accounts untouched
        assert g.has_node(org.ids["sandbox_model"])
    finally:
        # put ml-reader back exactly as the fixture made it: later tests compare graphs
        iam.create_role(
            RoleName="ml-reader",
            AssumeRolePolicyDocument=org_fixture.policy(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": org.ids["ci_bot"]},
                    "Action": "sts:AssumeRole",
                }
            ),
        )
        iam.put_role_policy(
            RoleName="ml-reader",
            PolicyName="read-training",
            PolicyDocument=org_fixture.policy(
                {
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::ml-training-{org.ids['ml']}/*",
                }
            ),
        )


def test_resume_collects_only_what_the_last_run_did_not_store(org: Org, tmp_path: Path) -> None:
    collect_cli(org, tmp_path)
    before = sources(tmp_path)
    assert org.ids["legacy"] not in before
    # the organisation role is restored in legacy; --resume retries only that account
    legacy = org.member("legacy").client("iam")
    legacy.create_role(
        RoleName=org_fixture.ROLE,
        AssumeRolePolicyDocument=org_fixture.policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{org.ids['management']}:root"},
                "Action": "sts:AssumeRole",
            }
        ),
    )
    try:
        out = collect_cli(org, tmp_path, "--resume")
        status = {r["account"]: r["status"] for r in out["accounts"]}
        assert status[org.ids["legacy"]] == "collected"
        assert {a for a, s in status.items() if s == "skipped"} == set(before)
        after = sources(tmp_path)
        assert set(after) == {*before, org.ids["legacy"]}
        assert all(after[s]["taken_at"] == before[s]["taken_at"] for s in before)
        # nothing left: a second --resume collects nothing
        again = collect_cli(org, tmp_path, "--resume")
        assert {r["status"] for r in again["accounts"]} == {"skipped"}
    finally:
        legacy.delete_role(RoleName=org_fixture.ROLE)


def test_external_id_comes_from_the_environment(org: Org, tmp_path: Path) -> None:
    ws = ["--workspace", str(tmp_path), "collect", "aws", "--org", "--services", "iam"]
    res = run([*ws, "--external-id-env", "AISPM_TEST_NO_SUCH_VAR"], org.env)
    assert res.returncode == 2
    assert "AISPM_TEST_NO_SUCH_VAR" in res.stderr and "Traceback" not in res.stderr
    res = run(
        [*ws, "--external-id-env", "AISPM_TEST_XID", "--format", "json"],
        {**org.env, "AISPM_TEST_XID": "s3cr3t-id"},
    )
    assert res.returncode == 0, res.stderr
    assert "s3cr3t-id" not in res.stdout + res.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--resume"], "need(s) --org or --profiles"),
        (["--accounts", "1"], "need(s) --org or --profiles"),
        (["--org", "--profiles", "a"], "alternatives"),
    ],
)
def test_estate_option_errors(org: Org, tmp_path: Path, args: list[str], message: str) -> None:
    res = run(["--workspace", str(tmp_path), "collect", "aws", *args], org.env)
    assert res.returncode == 2
    assert message in res.stderr and "Traceback" not in res.stderr


def test_profiles_one_per_account(org: Org, tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    lines = ["[profile base]", "aws_access_key_id = testing", "aws_secret_access_key = testing"]
    for name in ("apps", "legacy"):
        lines += [
            f"[profile {name}]",
            f"role_arn = arn:aws:iam::{org.ids[name]}:role/{org_fixture.ROLE}",
            "source_profile = base",
            "region = us-east-1",
        ]
    cfg.write_text("\n".join(lines) + "\n")
    env = {**org.env, "AWS_CONFIG_FILE": str(cfg), "AWS_SHARED_CREDENTIALS_FILE": str(cfg)}
    res = run(
        [
            "--workspace",
            str(tmp_path / "ws"),
            "collect",
            "aws",
            "--profiles",
            "apps,legacy",
            "--services",
            "iam",
            "--format",
            "json",
        ],
        {k: v for k, v in env.items() if k not in {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}},
    )
    assert res.returncode == 0, res.stderr
    rows = {r["name"]: r for r in json.loads(res.stdout)["accounts"]}
    assert rows["apps"]["status"] == "collected"
    assert rows["apps"]["account"] == org.ids["apps"]
    assert rows["legacy"]["status"] == "failed"
    assert "AccessDenied" in rows["legacy"]["reason"]
    assert set(sources(tmp_path / "ws")) == {org.ids["apps"]}


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_interrupted_run_resumes_where_it_stopped(
    org: Org, graph: Graph, tmp_path: Path, sig: signal.Signals
) -> None:
    """A real interruption mid-run: sandbox is still being entered (the STS gate holds its
    role assumption) when the process gets the signal; the accounts stored before it stay,
    and --resume collects only sandbox, giving the graph of an uninterrupted run."""
    finished = {org.ids[n] for n in ("management", "apps", "ml")}
    org.gate.hold(org.ids["sandbox"])
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "aispm_graph", *org_args(tmp_path, workers=2)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **org.env},
            cwd=ROOT,
        )
        run_file = tmp_path / "aws-estate-run.json"
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the other accounts never finished"
            try:
                done = set(json.loads(run_file.read_text())["done"])
            except (OSError, ValueError, KeyError):
                done = set()
            if done >= finished:
                break
            time.sleep(0.05)
        proc.send_signal(sig)
        _out, err = proc.communicate(timeout=60)  # promptly, although sandbox is in flight
    finally:
        org.gate.release()
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 130, err
        assert "interrupted: 3 account(s) stored" in err
        assert "--resume" in err
        assert "Traceback" not in err
    state = json.loads(run_file.read_text())
    assert state["finished"] is False
    assert set(state["done"]) == finished
    before = sources(tmp_path)
    assert set(before) == finished

    out = collect_cli(org, tmp_path, "--resume")
    status = {r["account"]: r["status"] for r in out["accounts"]}
    assert status == {
        **dict.fromkeys(finished, "skipped"),
        org.ids["sandbox"]: "collected",
        org.ids["legacy"]: "failed",
    }
    after = sources(tmp_path)
    assert set(after) == finished | {org.ids["sandbox"]}
    assert all(after[a]["taken_at"] == before[a]["taken_at"] for a in finished)
    resumed = built(tmp_path)
    assert {n for n, _ in resumed.nodes()} == {n for n, _ in graph.nodes()}
    assert {(s, d["kind"], t) for s, t, d in resumed.edges()} == {
        (s, d["kind"], t) for s, t, d in graph.edges()
    }


def test_incremental_org_run_reuses_each_members_unchanged_answers(
    org: Org, tmp_path: Path
) -> None:
    history = CloudTrailHistory(org.env["AWS_ENDPOINT_URL"]).start()
    try:
        org.env["AWS_ENDPOINT_URL_CLOUDTRAIL"] = history.url
        collect_cli(org, tmp_path)
        snap = Workspace(tmp_path).current()
        assert snap is not None
        before = {scope: snap.source_documents("aws", scope) for scope in sources(tmp_path)}
        # what moto cannot answer (Bedrock guardrails) failed, so it is collected again
        failed = {
            scope: {
                f"{c['service']}/{c['scope']}"
                for c in entry["meta"]["coverage"]
                if c["status"] != "ok"
            }
            for scope, entry in sources(tmp_path).items()
        }
        out = collect_cli(org, tmp_path, "--incremental")
    finally:
        org.env.pop("AWS_ENDPOINT_URL_CLOUDTRAIL", None)
        history.stop()
    rows = {r["account"]: r for r in out["accounts"] if r["status"] == "collected"}
    assert set(rows) == set(before)
    for acct, row in rows.items():
        assert row["incremental"]["mode"] == "incremental", acct
        assert set(row["incremental"]["collected"]) == failed[acct]
        # s3control rides along with s3
        assert row["reused"] == len(SERVICES.split(",")) + 1 - len(failed[acct])
        after = Workspace(tmp_path).current().source_documents("aws", acct)  # type: ignore[union-attr]

        def kept(docs: list[Any], acct: str = acct) -> list[Any]:
            return [
                d
                for d in docs
                if f"{d.body['service']}/{d.body['region']}" not in failed[acct]
                and d.body["service"] not in {"sts", "organizations"}
            ]

        assert kept(after) == kept(before[acct])
        assert kept(after)
