// id: shadow-ai
// title: Shadow AI - compute running AI libraries or model servers
// category: inventory
// description: >
//   Virtual machines, functions, containers and notebooks where scanners found AI libraries
//   or model servers (torch, transformers, langchain, vllm, ollama, ...) outside the managed
//   AI services; whether each is reachable from the internet, and which identity it runs as.
// parameters:
//   limit: {type: int, default: 200, description: Number of rows to return}
MATCH (c:Compute)
WHERE c.ai_libraries IS NOT NULL AND size(c.ai_libraries) > 0
OPTIONAL MATCH (:Internet)-[x:INTERNET_EXPOSED|PUBLIC_ACCESS]->(c)
OPTIONAL MATCH (c)-[:HAS_IDENTITY]->(ident:Identity)
WITH c, count(DISTINCT x) > 0 AS internet_exposed, collect(DISTINCT ident.id) AS identities
RETURN c.id AS id, c.kind AS kind, c.name AS name, c.provider AS provider,
       c.ai_libraries AS ai_libraries, internet_exposed, identities
ORDER BY internet_exposed DESC, provider, kind, name
LIMIT $limit
