// id: internet-exposed-ai-services
// title: Internet-exposed AI services, endpoints and notebooks
// category: exposure
// description: >
//   AI services, endpoints, workspaces, agents and notebooks an anonymous attacker reaches in
//   one step: a public endpoint that accepts keys, an open firewall rule to a notebook host, a
//   public function URL. The evidence says which rule or switch lets the traffic in.
// parameters:
//   limit: {type: int, default: 100, description: Number of rows to return}
MATCH (:Internet)-[r:INTERNET_EXPOSED|PUBLIC_ACCESS]->(s:AispmNode)
WHERE ANY(l IN labels(s) WHERE l IN ['AIService', 'AIEndpoint', 'AIModel', 'AIDeployment', 'AIAgent', 'AIWorkspace', 'Notebook', 'KnowledgeBase'])
RETURN s.id AS id, s.kind AS kind, s.name AS name, s.provider AS provider, s.tenant AS tenant,
       type(r) AS exposure, r.confidence AS confidence, r.evidence AS evidence
ORDER BY provider, kind, name
LIMIT $limit
