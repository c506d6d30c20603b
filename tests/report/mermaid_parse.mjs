// Parse Mermaid diagrams with Mermaid's own parser (in Node.js, over a jsdom window).
// stdin: JSON array of diagram sources; stdout: JSON array of {ok, type|error}.
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

let input = '';
for await (const chunk of process.stdin) input += chunk;
const out = [];
for (const src of JSON.parse(input)) {
  try {
    const r = await mermaid.parse(src);
    out.push({ ok: true, type: r.diagramType });
  } catch (e) {
    out.push({ ok: false, error: String(e && e.message ? e.message : e).slice(0, 500) });
  }
}
process.stdout.write(JSON.stringify(out));
