// id: choke-points
// title: Choke points - the attack steps most paths to AI assets go through
// category: recommendation
// description: >
//   Counts, for every attack-step relationship, the internet-to-AI-asset paths that use it.
//   Fixing the top rows breaks the most paths at once: this is where to start remediation.
// parameters:
//   limit: {type: int, default: 20, description: Number of relationships to return}
MATCH p = (:Internet)-[*1..6]->(t:AispmNode)
WHERE ALL(r IN relationships(p) WHERE r.attack_step = true)
  AND (ANY(l IN labels(t) WHERE l IN ['AIModel', 'AIDeployment', 'AIEndpoint', 'AIAgent', 'KnowledgeBase', 'AIService', 'AIWorkspace'])
   OR (t:DataStore AND t.data_role IS NOT NULL AND size(t.data_role) > 0))
WITH p, nodes(p) AS ns
WHERE ALL(i IN range(0, size(ns) - 2) WHERE NOT ns[i] IN ns[i + 1..])
  AND ALL(n IN ns[1..size(ns) - 1] WHERE NONE(l IN labels(n) WHERE l IN ['AIModel', 'AIDeployment', 'AIEndpoint', 'AIAgent', 'KnowledgeBase', 'AIService', 'AIWorkspace'])
      AND NOT (n:DataStore AND n.data_role IS NOT NULL AND size(n.data_role) > 0))
UNWIND relationships(p) AS r
WITH startNode(r) AS a, r, endNode(r) AS b, count(DISTINCT p) AS paths
RETURN a.id AS source, type(r) AS step, b.id AS target, a.name AS source_name,
       b.name AS target_name, paths
ORDER BY paths DESC, source, step, target
LIMIT $limit
