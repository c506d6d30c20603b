"""IAM login profiles: which users have a console password.

Kept apart from the IAM details: ``iam:CreateLoginProfile`` is an escalation only on a user
without one, ``iam:UpdateLoginProfile`` only on a user with one. A stored answer with
``LoginProfile: null`` says the user has none; no answer at all leaves it unknown.
"""

from __future__ import annotations

from aispm_graph.transforms.aws.builder import AwsBuilder
from aispm_graph.transforms.registry import service


@service("aws", "iam-login-profiles", reads=[("iam", "get_login_profile")], order=15)
def iam_login_profiles(b: AwsBuilder) -> None:
    """After IAM (users are nodes)."""
    by_name = {
        str(d["name"]): nid
        for nid, d in b.graph.nodes("AWSUser")
        if nid.split(":")[4:5] == [b.account]
    }
    for body in b.responses("iam", "get_login_profile"):
        with b.guard("get_login_profile", body["params"]):
            user = by_name.get(str(body["params"]["UserName"]))
            if user is not None:
                b.graph.set_prop(user, "login_profile", bool(body["response"].get("LoginProfile")))
