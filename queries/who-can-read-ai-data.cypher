// id: who-can-read-ai-data
// title: Who can read or poison training and grounding data
// category: exposure
// description: >
//   Identities that can read or write a data store marked as training, grounding or model
//   artifact data, directly or through group membership and role assumption (up to three
//   hops), and the AI services that ground on it. Writers can poison a model; readers can
//   exfiltrate what it learned from.
// parameters:
//   role: {type: str, default: null, description: "Only stores with this data role (training, grounding, model-artifact, sensitive)"}
//   limit: {type: int, default: 200, description: Number of rows to return}
MATCH route = (i:Identity)-[:MEMBER_OF|CAN_ASSUME*0..3]->(j:Identity)-[g:CAN_READ|CAN_WRITE]->(d:DataStore)
WHERE d.data_role IS NOT NULL AND size(d.data_role) > 0 AND ($role IS NULL OR $role IN d.data_role)
WITH i, d, type(g) AS access, min(size(relationships(route))) AS shortest
RETURN d.id AS data_store, d.kind AS kind, d.data_role AS data_role, i.id AS identity,
       i.kind AS identity_kind, access, shortest
ORDER BY data_store, access, shortest, identity
LIMIT $limit
