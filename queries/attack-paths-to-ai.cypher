// id: attack-paths-to-ai
// title: Attack paths from the internet to AI assets, ranked by risk
// category: attack path
// description: >
//   Every simple path of attack steps from the internet to an AI model, deployment, endpoint,
//   agent, knowledge base, AI service or a data store that trains or grounds AI, stopping at
//   the first such asset. Ranked by a quick score (impact of the target, fewer hops, remote
//   code execution on the way, conditional grants lowering it); 'aispm paths' gives the full
//   risk model, evidence and fixes for the same paths.
// parameters:
//   limit: {type: int, default: 50, description: Number of paths to return}
MATCH p = (:Internet)-[*1..6]->(t:AispmNode)
WHERE ALL(r IN relationships(p) WHERE r.attack_step = true)
  AND (ANY(l IN labels(t) WHERE l IN ['AIModel', 'AIDeployment', 'AIEndpoint', 'AIAgent', 'KnowledgeBase', 'AIService', 'AIWorkspace'])
   OR (t:DataStore AND t.data_role IS NOT NULL AND size(t.data_role) > 0))
WITH p, t, nodes(p) AS ns, relationships(p) AS rs
WHERE ALL(i IN range(0, size(ns) - 2) WHERE NOT ns[i] IN ns[i + 1..])
  AND ALL(n IN ns[1..size(ns) - 1] WHERE NONE(l IN labels(n) WHERE l IN ['AIModel', 'AIDeployment', 'AIEndpoint', 'AIAgent', 'KnowledgeBase', 'AIService', 'AIWorkspace'])
      AND NOT (n:DataStore AND n.data_role IS NOT NULL AND size(n.data_role) > 0))
WITH p, t, ns, rs,
     CASE WHEN ANY(l IN labels(t) WHERE l IN ['AIModel', 'AIAgent', 'KnowledgeBase']) THEN 45
          WHEN t:DataStore THEN 40 ELSE 35 END AS impact,
     CASE WHEN ANY(n IN ns WHERE n.vuln_factors IS NOT NULL AND 'rce' IN n.vuln_factors) THEN 15 ELSE 0 END AS rce,
     size([r IN rs WHERE r.confidence = 'conditional']) AS conditional
WITH p, t, ns, rs, impact + rce + 40 - 5 * size(rs) - 10 * conditional AS score
RETURN [n IN ns | n.id] AS path_ids,
       [n IN ns | n.name] AS path_names,
       [r IN rs | type(r)] AS steps,
       t.kind AS target_kind,
       t.name AS target,
       size(rs) AS hops,
       score
ORDER BY score DESC, hops ASC, target ASC
LIMIT $limit
