"""Collection and build time for a moto account with ~5,000 resources across 4 regions.

Run by hand: ``python benchmarks/aws_collect.py [--per-region 1250]``. Reports the sequential
collection (one worker) as the baseline and the concurrent one as a ratio of it, measured in
the same run against the same moto server, plus the build time of the collected snapshot.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# run as a script: the repository root makes fixtures.aws and tests.* importable
sys.path.insert(0, str(ROOT))

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1"]


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", "def handler(e, c):\n    return 1\n")
    return buf.getvalue()


def populate(per_region: int) -> int:
    import boto3

    session = boto3.Session(region_name="us-east-1")
    iam = session.client("iam")
    role = iam.create_role(
        RoleName="bench",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ]
            }
        ),
    )["Role"]["Arn"]
    code = _zip()
    sgs, secrets = int(per_region * 0.56), int(per_region * 0.24)
    fns = per_region - sgs - secrets

    def region_work(region: str) -> int:
        ec2 = session.client("ec2", region_name=region)
        sm = session.client("secretsmanager", region_name=region)
        lam = session.client("lambda", region_name=region)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        for i in range(sgs):
            gid = ec2.create_security_group(GroupName=f"sg{i}", Description="b", VpcId=vpc)[
                "GroupId"
            ]
            ec2.authorize_security_group_ingress(
                GroupId=gid,
                IpPermissions=[
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 443,
                        "ToPort": 443,
                        "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
                    }
                ],
            )
        for i in range(secrets):
            sm.create_secret(Name=f"s{i}", SecretString="x")
        for i in range(fns):
            lam.create_function(
                FunctionName=f"f{i}",
                Runtime="python3.12",
                Role=role,
                Handler="app.handler",
                Code={"ZipFile": code},
            )
        return sgs + secrets + fns

    with ThreadPoolExecutor(4) as pool:
        return sum(pool.map(region_work, REGIONS))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-region", type=int, default=1250)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()

    from aispm_graph.build import BuildContext, build_graph
    from aispm_graph.providers.aws.collect import CollectOptions, collect
    from fixtures.aws import build_moto_estate as estate

    moto, proxy, env = estate.start_servers()
    os.environ.update(env)
    try:
        t0 = time.perf_counter()
        n = populate(args.per_region)
        print(f"populated {n} resources in {time.perf_counter() - t0:.1f}s")
        services = ("iam", "ec2", "lambda", "secretsmanager")
        timings = {}
        for workers in (1, args.workers):
            t0 = time.perf_counter()
            result = collect(
                CollectOptions(regions=REGIONS, services=services, max_workers=workers)
            )
            timings[workers] = time.perf_counter() - t0
            bad = [c for c in result.coverage_table() if c["status"] != "collected"]
            print(
                f"collect workers={workers}: {timings[workers]:.2f}s "
                f"({len(result.documents)} documents, problems: {bad or 'none'})"
            )
        t0 = time.perf_counter()
        graph = build_graph(result.documents, BuildContext())
        build = time.perf_counter() - t0
        print(f"build: {build:.2f}s ({len(graph)} nodes, {graph.edge_count} edges)")
        print(
            f"concurrent/sequential collection time ratio: {timings[args.workers] / timings[1]:.2f}"
        )
        print(f"build/sequential-collection time ratio: {build / timings[1]:.2f}")
    finally:
        proxy.stop()
        moto.stop()


if __name__ == "__main__":
    main()
