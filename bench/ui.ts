/**
 * `npm run bench -- ui`: the UI's first paint on a generated 1,000-node plan (real Chromium,
 * navigation start → the first frame after the DAG is drawn; median of 3 loads), and for
 * report.html on examples/tabular: its size, and the time writing it adds to the run's wall time.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadSpecProject } from "../src/config/project.js";
import { createRunSession } from "../src/engine/session.js";
import type { Reporter, RunEvent } from "../src/model/events.js";
import { planProject } from "../src/plan/build.js";
import { HtmlReportReporter } from "../src/reporters/html-report.js";
import { startUiServer } from "../src/server/serve.js";
import { launch } from "../tests/helpers/browser.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const python = path.join(root, ".venv/bin/python");
process.env.DAGTEST_PYTHON = python;

/** A plain pipeline of `count` nodes in layers of 20, each fed by two nodes of the layer before. */
function generate(dir: string, count: number): void {
  const width = 20;
  const nodes: string[] = [];
  const edges: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `step_${i}`;
    const ins =
      i < width ? [] : [0, 7].map((k) => `step_${Math.floor(i / width - 1) * width + ((i + k) % width)}`);
    nodes.push(
      `    ${name}: {script: steps/step.py, inputs: [${ins.map((_, j) => `in${j}`).join(", ")}], outputs: [out]}`,
    );
    for (const from of new Set(ins)) edges.push(`    - [${from}, ${name}]`);
  }
  mkdirSync(path.join(dir, "steps"), { recursive: true });
  writeFileSync(
    path.join(dir, "steps/step.py"),
    "def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n",
  );
  writeFileSync(
    path.join(dir, "dagtest.yaml"),
    ["version: 1", "pipeline:", "  nodes:", ...nodes, "  edges:", ...edges, ""].join("\n"),
  );
}

async function firstPaint(dir: string): Promise<number[]> {
  const server = await startUiServer({
    factory: { project: dir, python },
    host: "127.0.0.1",
    port: 0,
    open: false,
    log: () => {},
  });
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      await page.goto(server.url);
      await page.waitForSelector("body[data-ready='1']");
      const nodes = await page.$$eval("[data-node]", (els) => els.length);
      if (nodes !== 1000) throw new Error(`drew ${nodes} nodes, not 1000`);
      const t = await page.evaluate(
        () => performance.getEntriesByName("dagtest-painted")[0]?.startTime ?? Number.NaN,
      );
      if (i > 0) times.push(t); // the first load warms the browser's caches
    }
    mkdirSync(path.join(root, ".test-results/ui"), { recursive: true });
    await page.screenshot({ path: path.join(root, ".test-results/ui/bench-1000-nodes.png") });
    return times;
  } finally {
    await browser.close();
    await server.close();
  }
}

class Timed implements Reporter {
  ms = 0;
  constructor(readonly inner: HtmlReportReporter) {}
  onEvent(event: RunEvent): void {
    const t = performance.now();
    this.inner.onEvent(event);
    this.ms += performance.now() - t;
  }
}

async function reportCost(dir: string): Promise<{ bytes: number; writeMs: number; wallMs: number }> {
  cpSync(path.join(root, "examples/tabular"), dir, {
    recursive: true,
    filter: (s) => !s.includes(".dagtest"),
  });
  const project = loadSpecProject(path.join(dir, "dagtest.yaml"), { python });
  const plan = await planProject(project);
  const report = new Timed(new HtmlReportReporter());
  const session = createRunSession({ project, cache: false });
  const t = performance.now();
  await session.run(plan, { reporters: [report] });
  const wallMs = performance.now() - t;
  await session.close();
  return { bytes: statSync(report.inner.written[0]!).size, writeMs: report.ms, wallMs };
}

const tmp = mkdtempSync(path.join(os.tmpdir(), "dagtest-bench-ui-"));
try {
  generate(path.join(tmp, "big"), 1000);
  const paints = (await firstPaint(path.join(tmp, "big"))).sort((a, b) => a - b);
  const cost = await reportCost(path.join(tmp, "example"));
  console.log(`first paints (ms): ${paints.map((p) => p.toFixed(0)).join(", ")}`);
  console.log(
    `report: ${cost.bytes} bytes, ${cost.writeMs.toFixed(1)} ms in the reporter, run wall ${cost.wallMs.toFixed(0)} ms`,
  );
  console.log(`ui-first-paint-1000-nodes: ${paints[Math.floor(paints.length / 2)]!.toFixed(0)} ms`);
  console.log(`report-size-example: ${(cost.bytes / 1024).toFixed(0)} KB`);
  console.log(`report-share-of-run: ${((cost.writeMs / cost.wallMs) * 100).toFixed(2)} %`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
