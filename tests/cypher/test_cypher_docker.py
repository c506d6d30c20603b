"""The Docker setup, checked structurally (there is no Docker engine in CI)."""

from __future__ import annotations

from pathlib import Path

import yaml

DOCKER = Path(__file__).resolve().parents[2] / "docker"


def test_compose_has_neo4j_and_a_one_shot_loader() -> None:
    compose = yaml.safe_load((DOCKER / "docker-compose.yml").read_text())
    services = compose["services"]
    neo4j = services["neo4j"]
    assert neo4j["image"].startswith("neo4j:5")
    assert neo4j["env_file"] == ["neo4j.env"]
    assert any(v.endswith(":/data") for v in neo4j["volumes"])
    assert set(compose["volumes"]) >= {v.split(":")[0] for v in neo4j["volumes"]}
    assert neo4j["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL")
    # No credential values in the compose file itself: they only come from the env file.
    for service in services.values():
        for key in service.get("environment", {}):
            assert "PASSWORD" not in key and "AUTH" not in key, key
    assert "NEO4J_AUTH=" in " ".join(neo4j["entrypoint"])  # assembled in the container
    loader = services["load-demo"]
    assert loader["build"]["dockerfile"] == "docker/Dockerfile"
    assert loader["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert loader["restart"] == "no"
    assert loader["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"
    command = " ".join(loader["command"])
    assert "aispm --quiet demo" in command and "aispm --quiet export neo4j" in command
    assert command.index("demo") < command.index("export")
    assert loader["env_file"] == ["neo4j.env"]


def test_env_example_and_dockerfile() -> None:
    example = (DOCKER / "neo4j.env.example").read_text()
    keys = {
        line.split("=")[0]
        for line in example.splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert keys == {"NEO4J_USERNAME", "NEO4J_PASSWORD"}
    assert "NEO4J_PASSWORD=\n" in example  # no default password shipped
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert "FROM python:3.12" in dockerfile
    assert "[neo4j,falkordb]" in dockerfile
    assert 'ENTRYPOINT ["aispm"]' in dockerfile
    assert "USER aispm" in dockerfile
    gitignore = (DOCKER.parent / ".gitignore").read_text()
    assert "docker/neo4j.env" in gitignore.splitlines()
