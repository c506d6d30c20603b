// id: ai-services-with-key-auth
// title: AI services accepting keys or public network traffic
// category: recommendation
// description: >
//   AI services, endpoints, workspaces and search indexes with key (local) authentication on
//   or public network access open, and how many internet-to-AI attack steps start at each.
//   Turning keys off and closing public access removes the exposure.
// parameters:
//   limit: {type: int, default: 200, description: Number of rows to return}
MATCH (s:AispmNode)
WHERE (s:AIService OR s:AIEndpoint OR s:AIWorkspace OR s:VectorStore)
  AND (s.local_auth_enabled = true OR s.public_network_access = true OR s.auth_mode = 'Key')
OPTIONAL MATCH (:Internet)-[x:INTERNET_EXPOSED]->(s)
WITH s, count(x) AS exposed
RETURN s.id AS id, s.kind AS kind, s.name AS name,
       coalesce(s.local_auth_enabled, false) AS key_auth,
       coalesce(s.public_network_access, false) AS public_network, exposed > 0 AS internet_exposed,
       CASE WHEN coalesce(s.local_auth_enabled, false) THEN 'Disable key authentication; use Entra ID / IAM'
            ELSE 'Disable public network access or add private endpoints' END AS recommendation
ORDER BY internet_exposed DESC, kind, name
LIMIT $limit
