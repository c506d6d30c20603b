// id: ai-inventory
// title: AI bill of materials - AI resources by provider and kind
// category: inventory
// description: >
//   How many AI services, models, deployments, endpoints, agents, knowledge bases,
//   workspaces, notebooks, training jobs and datasets each provider and tenant holds.
// parameters:
//   limit: {type: int, default: 500, description: Number of rows to return}
MATCH (n:AispmNode)
WHERE ANY(l IN labels(n) WHERE l IN ['AIService', 'AIModel', 'AIDeployment', 'AIEndpoint', 'AIAgent', 'KnowledgeBase', 'Guardrail', 'TrainingJob', 'Dataset', 'AIWorkspace', 'Notebook', 'VectorStore'])
RETURN n.provider AS provider, n.tenant AS tenant, n.kind AS kind, count(n) AS resources
ORDER BY provider, tenant, kind
LIMIT $limit
