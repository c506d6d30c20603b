// Lint Cypher with Neo4j's own parser and semantic analysis (@neo4j-cypher/language-support).
// Input on stdin: {"schema": DbSchema, "queries": [{"name": str, "text": str, "parameters": {}}]}
// Output on stdout: [{"name": str, "diagnostics": [{"severity": "error"|"warning", "message", "line", "column"}]}]
import { lintCypherQuery } from '@neo4j-cypher/language-support';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const severity = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };
const out = input.queries.map((q) => {
  const schema = { ...input.schema, parameters: q.parameters ?? {} };
  const { diagnostics } = lintCypherQuery(q.text, schema, { consoleCommandsEnabled: false });
  return {
    name: q.name,
    diagnostics: diagnostics.map((d) => ({
      severity: severity[d.severity] ?? String(d.severity),
      message: d.message,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
    })),
  };
});
process.stdout.write(JSON.stringify(out));
