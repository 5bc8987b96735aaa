// Renders Mermaid diagrams with the real Mermaid library in headless Chromium.
//
// Used by `casesim graph --format svg` and by the graph render test, through
// casesim.authoring.mermaid_render, which is the only caller and owns the protocol:
//   node render.mjs CHROMIUM_EXECUTABLE  <  {"diagrams": ["flowchart LR ...", ...]}
//   stdout: {"results": [{"svg": "<svg ...>"} | {"error": "Parse error on line 3: ..."}, ...]}
// Every diagram is rendered in one browser session (starting Chromium is the slow part).
// Exit 0 when the renderer ran (a diagram Mermaid rejects is a result, not a failure);
// exit 3 with a message on stderr when the browser or the input could not be used.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);

function fail(message) {
  process.stderr.write(message.endsWith("\n") ? message : message + "\n");
  process.exit(3);
}

const executablePath = process.argv[2];
if (!executablePath) fail("usage: node render.mjs CHROMIUM_EXECUTABLE < request.json");

let diagrams;
try {
  diagrams = JSON.parse(readFileSync(0, "utf8")).diagrams;
} catch (error) {
  fail(`the request on stdin is not JSON: ${error.message}`);
}
if (!Array.isArray(diagrams) || !diagrams.every((d) => typeof d === "string")) {
  fail('the request must be {"diagrams": [string, ...]}');
}

const mermaidBundle = require.resolve("mermaid/dist/mermaid.min.js");

let browser;
try {
  browser = await chromium.launch({ executablePath, headless: true, timeout: 60_000 });
} catch (error) {
  fail(`Chromium (${executablePath}) did not start: ${error.message.split("\n")[0]}`);
}
try {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  await page.setContent("<!doctype html><meta charset=utf-8><body></body>");
  await page.addScriptTag({ path: mermaidBundle });
  const results = await page.evaluate(async (texts) => {
    // securityLevel "strict": labels are text, never HTML or script, as in any site embedding Mermaid.
    globalThis.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", suppressErrorRendering: true });
    const out = [];
    for (const [i, text] of texts.entries()) {
      try {
        await globalThis.mermaid.parse(text);
        const { svg } = await globalThis.mermaid.render(`casesim-graph-${i}`, text);
        out.push({ svg });
      } catch (error) {
        out.push({ error: String(error && error.message ? error.message : error) });
      }
    }
    return out;
  }, diagrams);
  if (pageErrors.length > 0) {
    fail(`the page raised an error while rendering: ${pageErrors.join("; ")}`);
  }
  process.stdout.write(JSON.stringify({ results }));
} finally {
  await browser.close();
}
