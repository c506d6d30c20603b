"""IAM derivation at scale, offline: synthetic IAM and Secrets Manager documents.

Run by hand: ``python benchmarks/aws_iam_scale.py [--principals 1000] [--secrets 1000]``.
Reports the whole build and, as the baseline from the same run, the build of the same
documents with the AWS IAM deriver disabled, so the ratio is the cost of IAM evaluation.
"""

from __future__ import annotations

import argparse
import random
import time

from aispm_graph import build
from aispm_graph.workspace import Document

ACCT = "123456789012"


def documents(principals: int, secrets: int, seed: int = 7) -> list[Document]:
    rnd = random.Random(seed)
    actions = [
        "s3:GetObject",
        "secretsmanager:GetSecretValue",
        "bedrock:InvokeModel",
        "ec2:Describe*",
        "iam:PassRole",
        "lambda:UpdateFunctionCode",
        "sts:AssumeRole",
    ]
    roles = []
    for i in range(principals):
        stmts = [
            {
                "Effect": "Allow",
                "Action": rnd.sample(actions, 2),
                "Resource": rnd.choice(
                    [
                        "*",
                        f"arn:aws:secretsmanager:us-east-1:{ACCT}:"
                        f"secret:s{rnd.randrange(secrets)}-*",
                    ]
                ),
            }
        ]
        if rnd.random() < 0.2:
            stmts.append({"Effect": "Deny", "Action": "secretsmanager:*", "Resource": "*"})
        roles.append(
            {
                "RoleName": f"r{i}",
                "Arn": f"arn:aws:iam::{ACCT}:role/r{i}",
                "AssumeRolePolicyDocument": {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {
                                "AWS": f"arn:aws:iam::{ACCT}:role/r{rnd.randrange(principals)}"
                            },
                            "Action": "sts:AssumeRole",
                        }
                    ]
                },
                "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": {"Statement": stmts}}],
                "AttachedManagedPolicies": [],
                "InstanceProfileList": [],
            }
        )

    def doc(service: str, region: str, op: str, resp: dict[str, object]) -> Document:
        return Document(
            "aws",
            ACCT,
            f"{service}/{region}/{op}",
            {"service": service, "region": region, "operation": op, "params": {}, "response": resp},
        )

    return [
        doc("sts", "global", "get_caller_identity", {"Account": ACCT}),
        doc(
            "iam",
            "global",
            "get_account_authorization_details",
            {"RoleDetailList": roles, "UserDetailList": [], "GroupDetailList": [], "Policies": []},
        ),
        doc(
            "secretsmanager",
            "us-east-1",
            "list_secrets",
            {
                "SecretList": [
                    {
                        "ARN": f"arn:aws:secretsmanager:us-east-1:{ACCT}:secret:s{i}-abc",
                        "Name": f"s{i}",
                    }
                    for i in range(secrets)
                ]
            },
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--principals", type=int, default=1000)
    parser.add_argument("--secrets", type=int, default=1000)
    args = parser.parse_args()
    docs = documents(args.principals, args.secrets)
    t0 = time.perf_counter()
    graph = build.build_graph(docs, build.BuildContext())
    full = time.perf_counter() - t0
    build._load_plugins()
    saved = list(build._DERIVERS)
    build._DERIVERS[:] = [d for d in saved if d[1] != "aws-iam"]
    try:
        t0 = time.perf_counter()
        build.build_graph(docs, build.BuildContext())
        base = time.perf_counter() - t0
    finally:
        build._DERIVERS[:] = saved
    print(
        f"{args.principals} roles x {args.secrets} secrets: build {full:.2f}s "
        f"({len(graph)} nodes, {graph.edge_count} edges); without IAM derivation "
        f"{base:.2f}s; ratio {full / base:.1f}x"
    )


if __name__ == "__main__":
    main()
