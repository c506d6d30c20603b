"""Keeping secrets out of the snapshot, shared by every Azure collector (ARM, Graph, the
Foundry data plane): secret-valued fields are removed from each body before it is stored."""

from __future__ import annotations

from typing import Any

# Field names whose values are credentials; removed wherever they appear in a body.
SECRET_FIELDS = frozenset(
    {
        "credentials",
        "secrets",
        "keys",
        "primarykey",
        "secondarykey",
        "password",
        "adminpassword",
        "clientsecret",
        "connectionstring",
        "sastoken",
        "accountkey",
        "apikey",
        "accesskey",
        "secretkey",
        "primaryconnectionstring",
        "secondaryconnectionstring",
    }
)


# Non-secret facts kept from a removed credentials object: how the thing authenticates (an
# Azure ML datastore's ``credentials.credentialsType``: AccountKey, Sas, None, ...).
KEPT_FROM_SECRETS = ("credentialsType", "authType")


def scrub(obj: Any) -> Any:
    """A copy of ``obj`` without secret-valued fields (connection credentials, keys).

    A removed object's authentication *type* survives as ``<field>Type`` (``credentialsType``),
    so the snapshot says "key-based" without holding the key.
    """
    if isinstance(obj, dict):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            if isinstance(k, str) and k.lower() in SECRET_FIELDS:
                if isinstance(v, dict):
                    for kept in KEPT_FROM_SECRETS:
                        if isinstance(v.get(kept), str):
                            out.setdefault(kept, v[kept])
                continue
            out[k] = scrub(v)
        return out
    if isinstance(obj, list):
        return [scrub(v) for v in obj]
    return obj


def first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "message", None) or exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
