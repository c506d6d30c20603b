"""Organisation-wide AWS collection: sequential (one account at a time) vs the bounded pool.

Run by hand::

    .venv/bin/python benchmarks/aws_org_collect.py [--members 16] [--workers 1,4,8]

moto runs as a separate ``moto_server`` process, so the peak memory measured here is the
collector's own (plus the small STS gate thread); it is ``tracemalloc``'s peak of Python
allocations during each run and the process's RSS high-water mark at the end. The
organisation is ``fixtures/aws/build_moto_org.py`` with ``--members`` extra accounts (the
four named members plus the management account make ``members + 5``; ``legacy`` fails by
design). The baseline is ``--max-workers 1`` in the same run; compare ratios, not seconds.

After the pool runs, the last worker count is run twice more as an incremental collect
(``--incremental``) on top of the full one, against the local CloudTrail event history of
``fixtures/aws/cloudtrail_history.py``: once with no write events (everything reused), once
with an IAM write event in every account (IAM collected again, the rest reused). Their ratio
is against the full collect with the same worker count.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import time
import tracemalloc
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# run as a script: the repository root makes fixtures.aws and tests.* importable
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def latency_proxy(upstream: str, seconds: float) -> Any:
    """A forwarding proxy that holds every request ``seconds`` before passing it on."""
    from tests.support.loopback import LoopbackServer, QuietHandler

    class Handler(QuietHandler):
        def _handle(self) -> None:
            body = self.read_body()
            time.sleep(seconds)
            self.forward(upstream, body)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

    return LoopbackServer(Handler)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=16)
    ap.add_argument("--workers", default="1,4,8")
    ap.add_argument("--services", default="iam,s3,bedrock,kms,lambda,sagemaker,ec2")
    ap.add_argument(
        "--latency-ms",
        type=int,
        default=0,
        help="add this round-trip time to every call (a forwarding proxy in front of moto), "
        "so the pool overlaps waiting as it does against real AWS endpoints",
    )
    args = ap.parse_args()

    import boto3

    from aispm_graph.providers.aws.collect import CollectOptions, PreviousCollect
    from aispm_graph.providers.aws.org import OrgOptions, collect_org, read_organization
    from fixtures.aws import build_moto_org as org_fixture
    from fixtures.aws.cloudtrail_history import CloudTrailHistory
    from fixtures.aws.sts_gate import StsGate

    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    delay = None
    if args.latency_ms:
        delay = latency_proxy(url, args.latency_ms / 1000).start()
        url = delay.url
    gate = StsGate(url).start()
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": url,
            "AWS_ENDPOINT_URL_STS": gate.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_MAX_ATTEMPTS": "2",
        }
    )
    try:
        session = boto3.Session(region_name="us-east-1")
        org_fixture.build_org(session, url, members=args.members)
        org = read_organization(session)
        base = CollectOptions(regions=["us-east-1"], services=tuple(args.services.split(",")))
        print(f"accounts in the organisation: {len(org.members)}; services: {args.services}")
        print("| max-workers | seconds | vs sequential | collected | failed | docs | peak MB |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        baseline = 0.0
        for workers in [int(w) for w in args.workers.split(",")]:
            tracemalloc.start()
            began = time.perf_counter()
            outcomes = list(collect_org(OrgOptions(base=base, max_workers=workers), org, session))
            seconds = time.perf_counter() - began
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            baseline = baseline or seconds
            ok = [o for o in outcomes if o.status == "collected"]
            docs = sum(len(o.result.documents) for o in ok if o.result)
            print(
                f"| {workers} | {seconds:.1f} | {baseline / seconds:.2f}x | {len(ok)} | "
                f"{sum(o.status == 'failed' for o in outcomes)} | {docs} | {peak / 2**20:.1f} |"
            )
        history = CloudTrailHistory(url).start()
        os.environ["AWS_ENDPOINT_URL_CLOUDTRAIL"] = history.url
        full = {o.account: o.result for o in outcomes if o.result is not None}
        full_seconds = seconds

        def previous(account: str) -> PreviousCollect | None:
            res = full.get(account)
            if res is None:
                return None
            return PreviousCollect(res.started, res.documents, [c.as_dict() for c in res.coverage])

        print()
        print(f"| incremental (max-workers {workers}) | seconds | vs full | reused tasks |")
        print("| --- | --- | --- | --- |")
        for label in ("no write events", "an IAM write event per account"):
            if label.startswith("an IAM"):
                history.record("us-east-1", "iam.amazonaws.com", "PutRolePolicy")
            inc = replace(base, previous=previous)
            began = time.perf_counter()
            again = list(collect_org(OrgOptions(base=inc, max_workers=workers), org, session))
            seconds = time.perf_counter() - began
            reused = sum(c.reused for o in again if o.result for c in o.result.coverage)
            print(f"| {label} | {seconds:.1f} | {full_seconds / seconds:.2f}x | {reused} |")
        history.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"process RSS high-water mark: {rss:.0f} MB")
    finally:
        gate.stop()
        if delay is not None:
            delay.stop()
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
