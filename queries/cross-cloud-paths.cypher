// id: cross-cloud-paths
// title: Attack paths that cross cloud providers
// category: attack path
// description: >
//   Paths of attack steps from the internet to an AI asset that pass through more than one
//   cloud: an AWS role trusted by a GCP workload, an Azure VM holding keys to Bedrock. These
//   are the paths single-cloud tools miss.
// parameters:
//   limit: {type: int, default: 50, description: Number of paths to return}
MATCH p = (:Internet)-[*1..6]->(t:AispmNode)
WHERE ALL(r IN relationships(p) WHERE r.attack_step = true)
  AND (ANY(l IN labels(t) WHERE l IN ['AIModel', 'AIDeployment', 'AIEndpoint', 'AIAgent', 'KnowledgeBase', 'AIService', 'AIWorkspace'])
   OR (t:DataStore AND t.data_role IS NOT NULL AND size(t.data_role) > 0))
WITH p, t, nodes(p) AS ns
WHERE ALL(i IN range(0, size(ns) - 2) WHERE NOT ns[i] IN ns[i + 1..])
  AND ALL(n IN ns[1..size(ns) - 1] WHERE NONE(l IN labels(n) WHERE l IN ['AIModel', 'AIDeployment', 'AIEndpoint', 'AIAgent', 'KnowledgeBase', 'AIService', 'AIWorkspace'])
      AND NOT (n:DataStore AND n.data_role IS NOT NULL AND size(n.data_role) > 0))
WITH p, t, ns, [n IN ns WHERE n.provider IN ['aws', 'azure', 'gcp'] | n.provider] AS clouds
WHERE ANY(c IN clouds WHERE c <> clouds[0])
RETURN [n IN ns | n.id] AS path_ids, [n IN ns | n.provider] AS providers,
       t.id AS target, t.kind AS target_kind, size(relationships(p)) AS hops
ORDER BY hops, target
LIMIT $limit
