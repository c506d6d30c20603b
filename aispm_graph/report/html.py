"""The self-contained HTML report: one file, no network, usable at thousands of paths.

Everything is inline: CSS and a small script written here, diagrams as SVG drawn in Python
(:mod:`aispm_graph.report.svg`). A Content-Security-Policy forbids any fetch, so the file behaves
the same offline. Large estates stay fast because each path's body (diagram, evidence, fixes) is
an inert ``<template>`` until its ``<details>`` is opened, and the list is paged. Printing opens
every path of the current filter first.
"""

from __future__ import annotations

import json
from collections import Counter
from html import escape
from typing import Any

from aispm_graph.analysis.models import AttackPath
from aispm_graph.derive.agents import INDICATOR_TITLES
from aispm_graph.report.data import SEVERITY_ORDER, ReportData, riskiest_hop
from aispm_graph.report.svg import path_svg

PAGE_SIZE = 50

CSS = """
:root{--crit:#b71c1c;--high:#e53935;--med:#f9a825;--low:#43a047;--muted:#666}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;
background:#fafafa}
header{background:#263238;color:#fff;padding:16px 24px}header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:#cfd8dc;font-size:12px}
nav{padding:8px 24px;background:#eceff1;position:sticky;top:0;z-index:2}
nav a{margin-right:16px;color:#263238}
main{padding:8px 24px 40px;max-width:1400px}
section{margin:20px 0}h2{border-bottom:2px solid #cfd8dc;padding-bottom:4px}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#fff;border:1px solid #ddd;border-left:6px solid #999;padding:8px 14px;
min-width:120px}.card b{display:block;font-size:26px}
.card.critical{border-left-color:var(--crit)}.card.high{border-left-color:var(--high)}
.card.medium{border-left-color:var(--med)}.card.low{border-left-color:var(--low)}
table{border-collapse:collapse;background:#fff;margin:6px 0 12px;font-size:13px}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top;
overflow-wrap:anywhere}
th{background:#f0f3f5}
.grid{display:flex;gap:24px;flex-wrap:wrap}
.lvl{display:inline-block;min-width:64px;text-align:center;color:#fff;border-radius:3px;
padding:0 6px;font-size:12px;font-weight:bold}
.lvl.critical{background:var(--crit)}.lvl.high{background:var(--high)}
.lvl.medium{background:var(--med);color:#222}.lvl.low{background:var(--low)}
.lvl.info{background:#78909c}
details.path,.diagram{scroll-margin-top:48px}
details.path{background:#fff;border:1px solid #ddd;margin:4px 0;border-radius:3px}
details.path>summary{cursor:pointer;padding:6px 10px;list-style-position:inside}
details.path>summary code{color:var(--muted)}
details.path .body{padding:4px 14px 12px}
.diagram{overflow-x:auto;border:1px solid #eee;background:#fff;margin:6px 0}
.diagram svg{max-width:none}
code{font-size:12px}dl{margin:0}dt{font-weight:bold;display:inline}
dd{display:inline;margin:0 0 0 4px}
dd:after{content:"";display:block}
.muted{color:var(--muted)}.na{color:var(--muted);font-style:italic}
.toolbar{display:flex;gap:10px;align-items:center;flex-wrap:wrap;margin:8px 0}
.fix-break{color:var(--crit);font-weight:bold}.fix-lower{color:#8d6e00}
.warn{background:#fff3e0;border:1px solid #ffb74d;padding:6px 10px}
@media print{nav,.toolbar{display:none}details.path{break-inside:avoid}
body{background:#fff}header{background:#fff;color:#000}header p{color:#333}}
"""

SCRIPT = """
(function(){
  "use strict";
  var PAGE = %d;
  var all = Array.prototype.slice.call(document.querySelectorAll("details.path"));
  var page = 0, shown = all;
  var levelSel = document.getElementById("f-level"), textIn = document.getElementById("f-text");
  var info = document.getElementById("page-info");
  function fill(d){
    var body = d.querySelector(".body");
    if (body && !body.hasChildNodes()){
      var t = d.querySelector("template");
      if (t) { body.appendChild(t.content.cloneNode(true)); }
    }
  }
  function render(){
    var pages = Math.max(1, Math.ceil(shown.length / PAGE));
    if (page >= pages) { page = pages - 1; }
    var lo = page * PAGE, hi = lo + PAGE, set = new Set(shown.slice(lo, hi));
    for (var i = 0; i < all.length; i++) { all[i].hidden = !set.has(all[i]); }
    info.textContent = shown.length ? ("paths " + (lo + 1) + "-" + Math.min(hi, shown.length) +
      " of " + shown.length + " (page " + (page + 1) + "/" + pages + ")") : "no path matches";
  }
  function filter(){
    var lv = levelSel.value, q = textIn.value.toLowerCase();
    shown = all.filter(function(d){
      return (!lv || d.dataset.level === lv) && (!q || d.dataset.search.indexOf(q) >= 0);
    });
    page = 0; render();
  }
  all.forEach(function(d){ d.addEventListener("toggle", function(){ if (d.open) { fill(d); } }); });
  levelSel.addEventListener("change", filter);
  textIn.addEventListener("input", filter);
  document.getElementById("p-prev").addEventListener("click", function(){
    if (page > 0) { page--; render(); } });
  document.getElementById("p-next").addEventListener("click", function(){
    if ((page + 1) * PAGE < shown.length) { page++; render(); } });
  document.getElementById("p-open").addEventListener("click", function(){
    all.forEach(function(d){ if (!d.hidden) { fill(d); d.open = true; } }); });
  document.getElementById("p-close").addEventListener("click", function(){
    all.forEach(function(d){ d.open = false; }); });
  window.addEventListener("beforeprint", function(){
    shown.forEach(function(d){ fill(d); d.hidden = false; d.open = true; }); });
  window.addEventListener("afterprint", render);
  function openHash(){
    var id = decodeURIComponent(location.hash.slice(1)), d = document.getElementById(id);
    if (d && d.classList.contains("path")) {
      levelSel.value = ""; textIn.value = ""; shown = all;
      page = Math.floor(all.indexOf(d) / PAGE); render(); fill(d); d.open = true;
      d.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", openHash);
  render(); openHash();
  document.body.dataset.ready = "1";
})();
""".replace("%d", str(PAGE_SIZE))


def _lvl(level: str) -> str:
    return f'<span class="lvl {escape(level)}">{escape(level.upper())}</span>'


def _na(what: str) -> str:
    return f'<p class="na">{escape(what)}: not computed for this report.</p>'


def _value(v: Any) -> str:
    if isinstance(v, list):
        return escape(", ".join(str(x) for x in v))
    if isinstance(v, dict):
        return f"<code>{escape(json.dumps(v, sort_keys=True))}</code>"
    return escape(str(v))


def _path_body(p: AttackPath, hot: int) -> str:
    out = [f'<div class="diagram">{path_svg(p, hot)}</div>']
    out.append(
        f"<p>Entry <code>{escape(p.entry)}</code> → target <code>{escape(p.target)}</code> "
        f"({escape(p.target_class)}). Score {p.risk.score} = impact {p.risk.impact} &times; "
        f"(0.35 + 0.65 &times; likelihood {p.risk.likelihood}).</p>"
    )
    rows = []
    for i, e in enumerate(p.edges):
        src, dst = p.nodes[i], p.nodes[i + 1]
        ev = "".join(
            f"<dt>{escape(k)}</dt><dd>{_value(v)}</dd>" for k, v in e.evidence.items() if k != "fix"
        )
        also = ", ".join(k for k in e.kinds if k != e.kind)
        kind = escape(e.kind) + (f' <span class="muted">(+{escape(also)})</span>' if also else "")
        mark = " ◀ highlighted" if i == hot else ""
        rows.append(
            f"<tr><td>{i + 1}{mark}</td><td>{escape(src.name)}<br><span class=muted>"
            f"{escape(src.kind)}</span></td><td>{kind}</td><td>{escape(dst.name)}<br>"
            f"<span class=muted>{escape(dst.kind)}</span></td><td>{escape(e.confidence)}</td>"
            f"<td><dl>{ev}</dl></td></tr>"
        )
    out.append(
        "<h4>Hops and evidence</h4><table class=hops><tr><th>hop</th><th>from</th><th>edge</th>"
        "<th>to</th><th>confidence</th><th>evidence</th></tr>" + "".join(rows) + "</table>"
    )
    out.append(
        "<h4>Risk factors</h4><table><tr><th>kind</th><th>factor</th><th>value</th>"
        "<th>why</th></tr>"
        + "".join(
            f"<tr><td>{escape(f.kind)}</td><td>{escape(f.name)}</td><td>{f.value}</td>"
            f"<td>{escape(f.detail)}</td></tr>"
            for f in p.risk.factors
        )
        + "</table>"
    )
    fixes = []
    for r in p.remediation:
        cls, mark = ("fix-break", "breaks path") if r.breaks_path else ("fix-lower", "lowers risk")
        hop = f"hop {r.edge + 1}" if r.edge is not None else "path"
        fixes.append(
            f'<li><span class="{cls}">[{mark}]</span> {escape(r.action)} '
            f'<span class="muted">({hop}, {escape(r.effort)} effort, {escape(r.id)})</span></li>'
        )
    out.append("<h4>Remediation</h4><ul>" + "".join(fixes) + "</ul>")
    return "".join(out)


def _path_item(p: AttackPath, rank: int, hot: int) -> str:
    search = " ".join([p.id, p.title, *(n.name for n in p.nodes), *(n.id for n in p.nodes)])
    return (
        f'<details class="path" id="{escape(p.id)}" data-level="{p.risk.level}" '
        f'data-search="{escape(search.lower())}"><summary>#{rank} {_lvl(p.risk.level)} '
        f"<b>{p.risk.score}</b> {escape(p.title)} <code>{escape(p.id)}</code> "
        f'<span class="muted">{p.hops} hop(s)</span></summary><div class="body"></div>'
        f"<template>{_path_body(p, hot)}</template></details>"
    )


def _count_table(title: str, counts: dict[str, int], col: str) -> str:
    if not counts:
        return f"<div><h3>{escape(title)}</h3><p class=na>none</p></div>"
    rows = "".join(f"<tr><td>{escape(k)}</td><td>{v}</td></tr>" for k, v in counts.items())
    return (
        f"<div><h3>{escape(title)}</h3><table><tr><th>{escape(col)}</th><th>count</th></tr>"
        f"{rows}</table></div>"
    )


def _path_link(pid: str) -> str:
    return f'<a href="#{escape(pid)}">{escape(pid)}</a>'


def _chokepoints(data: ReportData, limit: int | None) -> str:
    if data.chokepoints is None:
        return _na("Choke points")
    if not data.chokepoints:
        return "<p>No fix breaks more than one path.</p>"
    rows = data.chokepoints[:limit] if limit else data.chokepoints
    body = "".join(
        f"<tr><td>{i}</td><td>{escape(c.action)}</td><td>{len(c.paths)}</td>"
        f"<td>{c.risk_removed}</td><td>{escape(c.effort)}</td><td><code>{escape(c.fix_id)}</code>"
        f"</td><td>{' '.join(_path_link(pid) for pid in c.paths[:8])}"
        f"{' …' if len(c.paths) > 8 else ''}</td></tr>"
        for i, c in enumerate(rows, 1)
    )
    return (
        "<table><tr><th>#</th><th>fix</th><th>paths broken</th><th>risk removed</th>"
        "<th>effort</th><th>id</th><th>paths</th></tr>" + body + "</table>"
    )


def _recommendations(data: ReportData) -> str:
    if data.recommendations is None:
        return _na("Recommendations")
    if not data.recommendations:
        return "<p>No recommendation.</p>"
    recs = sorted(
        data.recommendations,
        key=lambda r: (-r.priority, -SEVERITY_ORDER[r.severity], -len(r.path_ids), r.id),
    )
    body = "".join(
        f"<tr><td>{r.priority}</td><td>{_lvl(r.severity)}</td><td>{escape(r.title)}</td>"
        f"<td>{escape(r.resource_name)}<br><code>{escape(r.resource_id)}</code></td>"
        f"<td>{escape(r.remediation)}</td><td>{len(r.path_ids)}</td></tr>"
        for r in recs
    )
    return (
        "<table class=recs><tr><th>priority</th><th>severity</th><th>finding</th>"
        "<th>resource</th><th>remediation</th><th>on paths</th></tr>" + body + "</table>"
    )


def _frameworks(data: ReportData) -> str:
    """Per framework: how many items the checks cover, the findings under each covered item,
    and the items no check covers, so an auditor sees gaps next to findings."""
    if data.frameworks is None:
        return _na("Framework coverage")
    parts = []
    for fw in data.frameworks:
        rows = "".join(
            f'<tr><td><a href="{escape(i.url)}" rel="noreferrer">{escape(i.id)}</a></td>'
            f"<td>{escape(i.title)}</td><td>{escape(i.status)}</td>"
            f"<td>{escape(', '.join(i.checks))}"
            + (
                f"<br><span class=muted>pending: {escape(', '.join(i.pending_checks))}</span>"
                if i.pending_checks
                else ""
            )
            + f"</td><td>{len(i.findings) or ''}</td></tr>"
            for i in fw.items
            if i.status != "uncovered"
        )
        uncovered = [i.id for i in fw.items if i.status == "uncovered"]
        gaps = (
            f"<p class=gaps>Not covered by any check ({len(uncovered)}): "
            f"{escape(', '.join(uncovered))}</p>"
            if uncovered
            else "<p>Every item is served by at least one check.</p>"
        )
        parts.append(
            f'<div class="framework" id="fw-{escape(fw.id)}"><h3>{escape(fw.name)} '
            f"{escape(fw.version)}</h3><p>{fw.count('covered')} of {len(fw.items)} items "
            f"covered by evaluated checks, {fw.count('pending')} pending (facts not collected),"
            f" {fw.count('uncovered')} not covered.</p>"
            "<table class=fwcov><tr><th>item</th><th>title</th><th>status</th><th>checks</th>"
            f"<th>findings</th></tr>{rows}</table>{gaps}</div>"
        )
    return "".join(parts)


def _agents(data: ReportData) -> str:
    """Per agent (and gateway): its risk indicators, each with the evidence behind it."""
    if data.agents is None:
        return _na("Agent risk indicators")
    if not data.agents:
        return "<p>No agent found.</p>"
    flagged = sum(1 for a in data.agents if a.indicators)
    rows = []
    for a in data.agents:
        if a.indicators:
            inds = "".join(
                f"<li><b>{escape(INDICATOR_TITLES.get(k, k))}</b><ul>"
                + "".join(f"<li>{escape(line)}</li>" for line in ev)
                + "</ul></li>"
                for k, ev in a.indicators.items()
            )
            cell = f"<ul class=indicators>{inds}</ul>"
        else:
            cell = "<span class=na>none</span>"
        rows.append(
            f'<tr data-agent="{escape(a.id)}"><td>{escape(a.name)}<br><code>{escape(a.id)}'
            f"</code></td><td>{escape(a.kind)}</td><td>{a.paths or ''}</td><td>{cell}</td></tr>"
        )
    return (
        f"<p>{flagged} of {len(data.agents)} agents and gateways show a risk indicator.</p>"
        "<table class=agents><tr><th>agent</th><th>kind</th><th>paths</th>"
        "<th>indicators and evidence</th></tr>" + "".join(rows) + "</table>"
    )


def _vulnerabilities(data: ReportData) -> str:
    if data.vulnerabilities is None:
        return _na("Vulnerabilities")
    if not data.vulnerabilities:
        return "<p>No vulnerability matched.</p>"
    vulns = sorted(
        data.vulnerabilities,
        key=lambda v: (not v.on_path, -SEVERITY_ORDER[v.severity], v.package, v.advisory),
    )
    body = "".join(
        f"<tr><td>{'yes' if v.on_path else ''}</td><td>{_lvl(v.severity)}</td>"
        f"<td>{escape(v.advisory)}</td><td>{escape(v.package)} {escape(v.version)}</td>"
        f"<td>{escape(v.fixed_version or '-')}</td><td>{escape(', '.join(v.resources))}</td>"
        f"</tr>"
        for v in vulns
    )
    return (
        "<table class=vulns><tr><th>on a path</th><th>severity</th><th>advisory</th>"
        "<th>package</th><th>fixed in</th><th>resources</th></tr>" + body + "</table>"
    )


def _inventory(data: ReportData) -> str:
    items = data.inventory.items
    if not items:
        return "<p>No AI asset found.</p>"
    body = "".join(
        f"<tr><td>{escape(i.provider)}</td><td>{escape(i.service)}</td><td>{escape(i.kind)}"
        f"{' (shadow AI: ' + escape(', '.join(i.ai_libraries)) + ')' if i.shadow_ai else ''}"
        f"</td><td>{escape(i.name)}</td><td>{escape(i.model)}</td><td>{escape(i.region)}</td>"
        f"<td>{'yes' if i.internet_exposed else ''}</td><td>{i.paths or ''}</td></tr>"
        for i in items
    )
    return (
        "<table><tr><th>cloud</th><th>service</th><th>kind</th><th>name</th><th>model</th>"
        "<th>region</th><th>exposed</th><th>paths</th></tr>" + body + "</table>"
    )


def render_html(data: ReportData) -> str:
    """The whole report as one HTML document (a string)."""
    counts = data.level_counts()
    summary = data.inventory.summary()
    fix_counts = data.fix_path_counts()
    cards = "".join(f'<div class="card {lvl}"><b>{n}</b>{lvl}</div>' for lvl, n in counts.items())
    by_service = Counter(
        f"{i.provider} / {i.service or i.kind}" for i in data.inventory.items if not i.shadow_ai
    )
    warn = (
        f'<p class="warn">Results are incomplete: {escape(data.truncation or "")}</p>'
        if data.truncated
        else ""
    )
    shown_note = (
        f"<p class=muted>This report shows {len(data.paths)} of {data.total_paths} paths.</p>"
        if len(data.paths) != data.total_paths
        else ""
    )
    items = "".join(
        _path_item(p, i, riskiest_hop(p, fix_counts)) for i, p in enumerate(data.paths, 1)
    )
    meta = f"generated {escape(data.generated_at)} by aispm-graph {escape(data.tool_version)}"
    if data.snapshot:
        meta += f", snapshot {escape(data.snapshot)}"
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="aispm-graph {escape(data.tool_version)}">
<title>{escape(data.title)}</title><style>{CSS}</style></head>
<body><header><h1>{escape(data.title)}</h1><p>{meta}</p></header>
<nav><a href="#summary">Summary</a><a href="#paths">Attack paths</a>
<a href="#chokepoints">Choke points</a><a href="#recommendations">Recommendations</a>
<a href="#agents">Agents</a><a href="#frameworks">Frameworks</a>
<a href="#vulnerabilities">Vulnerabilities</a><a href="#inventory">AI-BOM</a></nav>
<main>
<section id="summary"><h2>Summary</h2>{warn}
<div class="cards" id="risk-counts">{cards}<div class="card"><b>{data.total_paths}</b>attack paths
</div><div class="card"><b>{summary["ai_assets"]}</b>AI assets</div>
<div class="card"><b>{summary["shadow_ai_hosts"]}</b>shadow-AI hosts</div></div>
<div class="grid">{_count_table("AI-BOM by cloud", summary["by_provider"], "cloud")}
{_count_table("AI-BOM by service", dict(sorted(by_service.items())), "service")}
<div><h3>Top choke points</h3>{_chokepoints(data, 5)}</div></div></section>
<section id="paths"><h2>Attack paths</h2>{shown_note}
<div class="toolbar"><label>risk <select id="f-level"><option value="">all</option>
<option>critical</option><option>high</option><option>medium</option><option>low</option>
</select></label><label>search <input id="f-text" type="search" placeholder="name or id">
</label><button id="p-prev" type="button">◀ prev</button><span id="page-info"></span>
<button id="p-next" type="button">next ▶</button><button id="p-open" type="button">expand page
</button><button id="p-close" type="button">collapse all</button></div>
<div id="path-list">{items}</div></section>
<section id="chokepoints"><h2>Choke points</h2>{_chokepoints(data, None)}</section>
<section id="recommendations"><h2>Recommendations</h2>{_recommendations(data)}</section>
<section id="agents"><h2>Agent risk indicators</h2>{_agents(data)}</section>
<section id="frameworks"><h2>Framework coverage</h2>{_frameworks(data)}</section>
<section id="vulnerabilities"><h2>Vulnerabilities</h2>{_vulnerabilities(data)}</section>
<section id="inventory"><h2>AI bill of materials</h2>{_inventory(data)}</section>
</main><script>{SCRIPT}</script></body></html>
"""
