// id: vulnerable-ai-images-on-paths
// title: Vulnerable AI images and packages on attack paths
// category: vulnerability
// description: >
//   Compute reachable from the internet that runs a container image or software (an
//   imported SBOM or dependency list) with packages with known advisories, and the AI
//   assets that compute can reach next. These are the
//   vulnerabilities an attacker can actually use on the way to a model or its data.
// parameters:
//   severity: {type: "list[str]", default: [critical, high], description: Advisory severities to include}
//   limit: {type: int, default: 200, description: Number of rows to return}
MATCH (:Internet)-[:INTERNET_EXPOSED|PUBLIC_ACCESS]->(c:Compute)
MATCH (c)-[:RUNS_IMAGE|RUNS_SOFTWARE|HAS_PACKAGE*1..2]->(pkg:Package)-[:AFFECTED_BY]->(v:Vulnerability)
WHERE v.severity IN $severity
OPTIONAL MATCH q = (c)-[*1..4]->(ai:AispmNode)
WHERE ALL(r IN relationships(q) WHERE r.attack_step = true)
  AND ANY(l IN labels(ai) WHERE l IN ['AIModel', 'AIDeployment', 'AIEndpoint', 'AIAgent', 'KnowledgeBase', 'AIService'])
WITH c, pkg, v, collect(DISTINCT ai.id) AS reaches
RETURN c.id AS compute, c.kind AS kind, pkg.id AS package, v.id AS advisory,
       v.severity AS severity, v.cvss_score AS cvss, coalesce(v.rce, false) AS rce,
       v.fixed_versions AS fixed_versions, reaches
ORDER BY size(reaches) DESC, cvss DESC, compute, advisory
LIMIT $limit
