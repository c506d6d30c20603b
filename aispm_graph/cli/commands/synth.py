"""``aispm synth``: a synthetic estate for benchmarks and experiments."""

from __future__ import annotations

import json
from pathlib import Path

import click

from aispm_graph.atomic import write_output_text
from aispm_graph.cli.groups import App, pass_app, root
from aispm_graph.synth import SYNTH_PROFILES, synth_document
from aispm_graph.workspace import Document


@root.command("synth")
@click.option(
    "--resources",
    type=click.IntRange(100, 10_000_000),
    default=10_000,
    show_default=True,
    help="Approximate number of resources.",
)
@click.option(
    "--profile",
    type=click.Choice(SYNTH_PROFILES),
    default="org",
    show_default=True,
    help="org: an organisation with raw IAM policies the build evaluates; sparse: derived "
    "edges only; explosion: one account of --resources IAM principals where routes multiply.",
)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write a graph file instead of a new workspace snapshot.",
)
@pass_app
def synth_cmd(app: App, resources: int, profile: str, seed: int, output: Path | None) -> None:
    """Generate a synthetic multi-cloud estate (new snapshot; run 'aispm build' next)."""
    doc = synth_document(resources, seed, profile)
    if output is not None:
        write_output_text(output, json.dumps(doc))
        app.info(f"wrote {output}: {len(doc['nodes'])} nodes, {len(doc['edges'])} edges")
        return
    snap = app.workspace.new_snapshot()
    snap.put_source(
        "graph",
        "synthetic",
        [Document("graph", "synthetic", "synthetic", doc)],
        {"synthetic": {"resources": resources, "seed": seed, "profile": profile}},
    )
    app.info(
        f"snapshot {snap.id}: {len(doc['nodes'])} synthetic nodes, {len(doc['edges'])} "
        "edges; run 'aispm build'"
    )
