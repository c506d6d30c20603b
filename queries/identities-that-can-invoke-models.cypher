// id: identities-that-can-invoke-models
// title: Identities that can invoke AI models and agents
// category: attack path
// description: >
//   Users, roles, service principals and service accounts that can call a model, deployment,
//   endpoint or agent, directly or through group membership and role assumption (up to three
//   hops). Give 'model' to ask about one model id; the route shows how the right is obtained.
// parameters:
//   model: {type: str, default: null, description: Only this model / deployment / agent id}
//   limit: {type: int, default: 200, description: Number of rows to return}
MATCH route = (i:Identity)-[:MEMBER_OF|CAN_ASSUME*0..3]->(j:Identity)-[g:CAN_INVOKE]->(m:AispmNode)
WHERE ($model IS NULL OR m.id = $model)
WITH i, m, g, [n IN nodes(route) | n.name] AS via, size(relationships(route)) AS hops
RETURN i.id AS identity, i.kind AS identity_kind, m.id AS model, m.kind AS model_kind,
       min(hops) AS shortest, collect(DISTINCT g.evidence)[0] AS grant, collect(via)[0] AS route
ORDER BY model, shortest, identity
LIMIT $limit
