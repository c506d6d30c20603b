"""Matching 10,000 packages against the bundled OSV database: indexed vs a naive linear scan.

Run by hand: ``python benchmarks/bench_vuln_matching.py [N]``. Both run in the same process on
the same packages; the naive baseline loops over every record for every package and parses
versions as it goes (what a first implementation would do). Prints times and the ratio, and
checks both agree on which packages are affected.
"""

from __future__ import annotations

import json
import random
import sys
import time
from importlib import resources
from typing import Any

from packaging.version import InvalidVersion, Version

from aispm_graph.vulns.matching import PackageRef
from aispm_graph.vulns.osvdb import VulnDB
from aispm_graph.vulns.versions import normalize_pypi_name


def make_packages(records: list[dict[str, Any]], n: int, seed: int = 7) -> list[PackageRef]:
    rng = random.Random(seed)
    known: dict[str, set[str]] = {}
    for r in records:
        for a in r["affected"]:
            known.setdefault(normalize_pypi_name(a["package"]["name"]), set()).update(
                a.get("versions", [])
            )
    names = sorted(known)
    out = []
    for i in range(n):
        if rng.random() < 0.3:  # an AI package from the database at a random released version
            name = rng.choice(names)
            versions = sorted(known[name]) or ["1.0.0"]
            version = rng.choice([*versions, "99.0.0", "0.0.1rc1"])
        else:  # everything else a real environment holds
            name = f"unrelated-package-{i % 3000}"
            version = f"{rng.randint(0, 5)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
        out.append(PackageRef("PyPI", name, version))
    return out


def naive_affected(records: list[dict[str, Any]], pkg: PackageRef) -> bool:
    hit = False
    for rec in records:
        if rec.get("withdrawn"):
            continue
        for aff in rec["affected"]:
            if aff["package"]["ecosystem"] != "PyPI":
                continue
            if normalize_pypi_name(aff["package"]["name"]) != pkg.name:
                continue
            try:
                v = Version(Version(pkg.version).public)
            except InvalidVersion:
                continue
            if pkg.version in aff.get("versions", []):
                hit = True
            for rng in aff.get("ranges", []):
                if rng["type"] != "ECOSYSTEM":
                    continue
                state = False
                events = sorted(
                    (
                        Version(str(next(iter(e.values()))))
                        if next(iter(e.values())) != "0"
                        else Version("0"),
                        0 if "introduced" in e else 1,
                        e,
                    )
                    for e in rng["events"]
                )
                for ver, _rank, e in events:
                    if "introduced" in e and v >= ver:
                        state = True
                    elif "fixed" in e and v >= ver:
                        state = False
                hit = hit or state
    return hit


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    raw = resources.files("aispm_graph.vulns").joinpath("data", "osv-ai-pypi.json").read_text()
    records = json.loads(raw)
    pkgs = make_packages(records, n)

    t0 = time.perf_counter()
    db = VulnDB.bundled()
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    indexed = [bool(db.match(p)) for p in pkgs]
    t_index = time.perf_counter() - t0

    t0 = time.perf_counter()
    naive = [naive_affected(records, p) for p in pkgs]
    t_naive = time.perf_counter() - t0

    agree = sum(a == b for a, b in zip(indexed, naive, strict=True))
    print(f"packages: {n} ({sum(indexed)} affected), records: {len(records)}")
    print(
        f"indexed matching:  {t_index * 1000:9.1f} ms  (+ {t_load * 1000:.0f} ms to load the "
        "bundled database once)"
    )
    print(f"naive linear scan: {t_naive * 1000:9.1f} ms")
    print(
        f"ratio: {t_naive / t_index:.0f}x faster (incl. load: {t_naive / (t_index + t_load):.0f}x)"
    )
    print(f"agreement on affected/not affected: {agree}/{n}")


if __name__ == "__main__":
    main()
