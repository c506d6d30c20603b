// id: privilege-escalation-to-admin
// title: Privilege escalation to tenant administrator
// category: attack path
// description: >
//   Identities that are not administrators but can become one: through role assumption,
//   escalation techniques (pass-role, code updates, policy writes) or credentials, ending in
//   administrative control of an AWS account, Azure subscription or GCP project.
// parameters:
//   limit: {type: int, default: 100, description: Number of rows to return}
MATCH p = (i:Identity)-[:MEMBER_OF|CAN_ASSUME|CAN_ESCALATE_TO|AUTHENTICATES_AS|HAS_IDENTITY|CAN_UPDATE_CODE*0..4]->(x:AispmNode)-[:CAN_ADMINISTER]->(t:Tenant)
WHERE NOT (i)-[:CAN_ADMINISTER]->(:Tenant) AND coalesce(i.admin, false) = false
WITH i, t, p, nodes(p) AS ns
WHERE ALL(k IN range(0, size(ns) - 2) WHERE NOT ns[k] IN ns[k + 1..])
RETURN i.id AS identity, i.kind AS identity_kind, t.id AS tenant, t.kind AS tenant_kind,
       size(relationships(p)) AS hops, [r IN relationships(p) | type(r)] AS steps,
       [n IN ns | n.name] AS route
ORDER BY hops, identity, tenant
LIMIT $limit
