"""The query library: ``queries/*.cypher`` files with a YAML metadata header.

A query file starts with comment lines holding YAML::

    // id: internet-exposed-ai-services
    // title: Internet-exposed AI services
    // category: exposure
    // description: >
    //   What an anonymous attacker can reach directly.
    // parameters:
    //   limit: {type: int, default: 100, description: Rows to return}

The same files are what investigators add to Neo4j Browser as favourites, so the header is a
comment both backends ignore; the body is portable Cypher that runs on Neo4j and FalkorDB.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CATEGORIES = ("attack path", "inventory", "exposure", "recommendation", "vulnerability")
PARAM_TYPES = ("int", "float", "str", "bool", "list[str]")
PARAM_FIELDS = ("type", "default", "description")


class QueryFileError(ValueError):
    """A query file or a parameter value is not usable; the message names file and field."""


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: Any
    description: str


@dataclass(frozen=True)
class Query:
    id: str
    title: str
    description: str
    category: str
    text: str
    path: Path
    parameters: tuple[Parameter, ...] = field(default=())

    def bind(self, given: dict[str, str]) -> dict[str, Any]:
        """Parameter values from ``k=v`` strings, typed and defaulted per the header."""
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(given) - set(known))
        if unknown:
            names = ", ".join(sorted(known)) or "none"
            raise QueryFileError(
                f"query {self.id}: unknown parameter {', '.join(unknown)} (parameters: {names})"
            )
        out: dict[str, Any] = {}
        for p in self.parameters:
            out[p.name] = _convert(self.id, p, given[p.name]) if p.name in given else p.default
        return out


def _convert(query_id: str, param: Parameter, raw: str) -> Any:
    where = f"query {query_id}: parameter {param.name}"
    try:
        if param.type == "int":
            return int(raw)
        if param.type == "float":
            return float(raw)
        if param.type == "bool":
            lowered = raw.strip().lower()
            if lowered in ("true", "yes", "1"):
                return True
            if lowered in ("false", "no", "0"):
                return False
            raise ValueError(raw)
        if param.type == "list[str]":
            if raw.startswith("["):
                value = json.loads(raw)
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ValueError(raw)
                return value
            return [v.strip() for v in raw.split(",") if v.strip()]
    except (ValueError, json.JSONDecodeError):
        raise QueryFileError(f"{where}: {raw!r} is not a {param.type}") from None
    return raw


def _header(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        lines.append(line[3:] if line.startswith("// ") else line[2:])
    return "\n".join(lines)


def parse_query(path: Path) -> Query:
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryFileError(f"{where}: cannot read: {exc}") from None
    try:
        meta = yaml.safe_load(_header(text)) or {}
    except yaml.YAMLError as exc:
        raise QueryFileError(f"{where}: metadata header is not valid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise QueryFileError(f"{where}: metadata header must be a mapping of fields")
    for key in ("id", "title", "description", "category"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            raise QueryFileError(f"{where}: header field {key!r} must be a non-empty string")
    if meta["category"] not in CATEGORIES:
        raise QueryFileError(
            f"{where}: header field 'category' is {meta['category']!r}; one of {CATEGORIES}"
        )
    params = []
    raw_params = meta.get("parameters") or {}
    if not isinstance(raw_params, dict):
        raise QueryFileError(f"{where}: header field 'parameters' must be a mapping")
    for name, spec in raw_params.items():
        if not isinstance(spec, dict) or spec.get("type") not in PARAM_TYPES:
            raise QueryFileError(
                f"{where}: parameter {name!r} needs a 'type' out of {', '.join(PARAM_TYPES)}"
            )
        # A comma in an unquoted description of a flow mapping ({..., description: a, b})
        # starts a new key: the description was silently cut. Unknown keys are refused.
        unknown = sorted(str(k) for k in spec if k not in PARAM_FIELDS)
        if unknown:
            raise QueryFileError(
                f"{where}: parameter {name!r} has unknown field(s) {', '.join(unknown)} "
                f"(fields: {', '.join(PARAM_FIELDS)}; quote a description that has a comma)"
            )
        params.append(
            Parameter(
                str(name), spec["type"], spec.get("default"), str(spec.get("description", ""))
            )
        )
    body = "\n".join(line for line in text.splitlines() if not line.startswith("//")).strip()
    if not body:
        raise QueryFileError(f"{where}: no Cypher after the header")
    return Query(
        id=meta["id"],
        title=meta["title"].strip(),
        description=" ".join(meta["description"].split()),
        category=meta["category"],
        text=body,
        path=path,
        parameters=tuple(params),
    )


def queries_dir() -> Path:
    """``queries/`` of a source checkout, or the copy packaged into the wheel."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "queries", here / "_queries"):
        if candidate.is_dir():
            return candidate
    raise QueryFileError("the query library is not installed (no queries/ directory)")


def load_library(directory: Path | None = None) -> dict[str, Query]:
    directory = directory or queries_dir()
    out: dict[str, Query] = {}
    for path in sorted(directory.glob("*.cypher")):
        query = parse_query(path)
        if query.id in out:
            raise QueryFileError(f"{path}: id {query.id!r} also used by {out[query.id].path}")
        out[query.id] = query
    return out


def resolve(name_or_file: str) -> Query:
    """A library query by id (or file stem), or a ``.cypher`` file on disk."""
    path = Path(name_or_file)
    if path.suffix == ".cypher" and path.exists():
        return parse_query(path)
    library = load_library()
    if name_or_file in library:
        return library[name_or_file]
    for query in library.values():
        if query.path.stem == name_or_file:
            return query
    known = ", ".join(sorted(library))
    raise QueryFileError(f"no query {name_or_file!r} (library: {known}; or give a .cypher file)")
