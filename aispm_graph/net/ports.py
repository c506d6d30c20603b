"""Port sets and port classes, shared by every provider's firewall evaluation."""

from __future__ import annotations

from collections.abc import Iterable

PortRange = tuple[int, int]
ALL_PORTS: tuple[PortRange, ...] = ((0, 65535),)

# Why a port matters to an attacker; drives the exposure factor of the risk model.
PORT_CLASSES: dict[str, tuple[int, ...]] = {
    "remote-admin": (22, 23, 3389, 5985, 5986, 5900),
    "ai-service": (
        8888,
        8889,  # Jupyter
        6006,  # TensorBoard
        5000,  # MLflow
        7860,  # Gradio
        8501,  # Streamlit
        8265,  # Ray dashboard
        11434,  # Ollama
        8000,  # vLLM / FastAPI model servers
        8001,
        8002,  # Triton
        3000,  # LLM chat front ends
    ),
    "database": (5432, 3306, 1433, 6379, 9200, 27017, 6333, 19530),
    "web": (80, 443, 8080, 8443),
}
CLASS_ORDER = ("remote-admin", "ai-service", "database", "web", "other")


def parse_port_spec(spec: str | int) -> PortRange:
    """'22', '80-443', '*' or an int; raises ValueError on anything else."""
    if isinstance(spec, int):
        if not 0 <= spec <= 65535:
            raise ValueError(f"port {spec} out of range")
        return (spec, spec)
    text = str(spec).strip()
    if text in {"*", "", "all", "any"}:
        return ALL_PORTS[0]
    if "-" in text:
        lo_s, hi_s = text.split("-", 1)
        lo, hi = int(lo_s), int(hi_s)
    else:
        lo = hi = int(text)
    if not (0 <= lo <= hi <= 65535):
        raise ValueError(f"bad port range {spec!r}")
    return (lo, hi)


def normalize(ranges: Iterable[PortRange]) -> list[PortRange]:
    out: list[PortRange] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def subtract(ranges: list[PortRange], cut: list[PortRange]) -> list[PortRange]:
    out: list[PortRange] = []
    for lo, hi in ranges:
        pieces = [(lo, hi)]
        for clo, chi in cut:
            nxt: list[PortRange] = []
            for plo, phi in pieces:
                if chi < plo or clo > phi:
                    nxt.append((plo, phi))
                    continue
                if plo < clo:
                    nxt.append((plo, clo - 1))
                if phi > chi:
                    nxt.append((chi + 1, phi))
            pieces = nxt
        out.extend(pieces)
    return normalize(out)


def intersect(a: list[PortRange], b: list[PortRange]) -> list[PortRange]:
    out: list[PortRange] = []
    for alo, ahi in a:
        for blo, bhi in b:
            lo, hi = max(alo, blo), min(ahi, bhi)
            if lo <= hi:
                out.append((lo, hi))
    return normalize(out)


def fmt_ranges(protocol: str, ranges: list[PortRange]) -> list[str]:
    out = []
    for lo, hi in ranges:
        if (lo, hi) == ALL_PORTS[0]:
            out.append(f"{protocol}/*")
        elif lo == hi:
            out.append(f"{protocol}/{lo}")
        else:
            out.append(f"{protocol}/{lo}-{hi}")
    return out


def port_classes(ranges: list[PortRange]) -> list[str]:
    """Classes of the exposed ports, most dangerous first; 'other' for the rest."""
    found = []
    for cls in CLASS_ORDER[:-1]:
        if any(lo <= p <= hi for p in PORT_CLASSES[cls] for lo, hi in ranges):
            found.append(cls)
    covered = sum(hi - lo + 1 for lo, hi in ranges)
    known = sum(
        1 for cls in found for p in PORT_CLASSES[cls] if any(lo <= p <= hi for lo, hi in ranges)
    )
    if covered > known:
        found.append("other")
    return found
