// The official MCP TypeScript SDK client (@modelcontextprotocol/sdk), run by
// test/local with the project's Node.js against an MCP server behind the
// local runner: initialize, list tools, call the count tool with a progress
// callback. Prints one JSON report: the tools, the result, and when each
// progress notification and the result arrived (ms after the call).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, steps] = process.argv.slice(2);
const client = new Client({ name: "streamgate-test", version: "1.0.0" });
await client.connect(new StreamableHTTPClientTransport(new URL(url)));
const tools = await client.listTools();
const progress = [];
const t0 = performance.now();
const result = await client.callTool({ name: "count", arguments: { steps: Number(steps), interval_ms: 150 } }, undefined, {
  onprogress: (p) => progress.push({ progress: p.progress, total: p.total, at: performance.now() - t0 }),
});
const resultAt = performance.now() - t0;
await client.close();
console.log(JSON.stringify({ tools: tools.tools.map((t) => t.name), text: result.content[0].text, progress, resultAt }));
