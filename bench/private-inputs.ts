/**
 * `npm run bench -- private-inputs`: what private input views cost (each consumer reads its own
 * copy of each input, made by the `prepare` stage: a copy-on-write clone where the file system
 * has them, a plain copy otherwise).
 *
 * - examples/tabular: one run with the warm executor; then every input view its nodes were given
 *   is made again, timed, and compared with the run's wall time.
 * - 1 GB: one view of a 1 GiB input (16 files of 64 MiB), next to the cost the input check
 *   already had before views existed (hashing the input before and after the node).
 *
 * Ends with `private-inputs-example`, `private-inputs-example-share`, `private-inputs-1gb` and
 * `private-inputs-1gb-vs-hash`.
 */
import { closeSync, cpSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadSpecProject } from "../src/config/project.js";
import { producedPath } from "../src/engine/jobs.js";
import { privateView } from "../src/engine/private-view.js";
import { createRunSession } from "../src/engine/session.js";
import type { Plan } from "../src/model/plan.js";
import { planProject } from "../src/plan/build.js";
import { hashTree } from "../src/util/files.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const python = path.join(root, ".venv/bin/python");
const GIB = 1024 ** 3;
const FILE_BYTES = 64 * 1024 ** 2;

/** Every data input of every script node: where its data is in this run. */
function dataSources(plan: Plan, runDir: string): string[] {
  const sources: string[] = [];
  for (const node of plan.nodes) {
    if (node.kind !== "script") continue;
    for (const input of node.inputs) {
      const p = input.provision;
      const source =
        p.kind === "wire"
          ? producedPath(plan, runDir, p.from)
          : p.kind === "user"
            ? p.path
            : p.kind === "config"
              ? p.value
              : null;
      if (source) sources.push(source);
    }
  }
  return sources;
}

function timed<T>(body: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = body();
  return { value, ms: performance.now() - started };
}

async function example(scratch: string): Promise<{ ms: number; share: number; views: number }> {
  const dir = path.join(scratch, "tabular");
  cpSync(path.join(root, "examples/tabular"), dir, {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}.dagtest`) && !src.includes("__pycache__"),
  });
  const project = loadSpecProject(path.join(dir, "dagtest.yaml"), { python });
  const plan = await planProject(project);
  const session = createRunSession({ project, cache: false });
  const result = await session.run(plan).finally(() => session.close());
  if (!result.pipelineSuccess) throw new Error(`the example did not pass: ${JSON.stringify(result.summary)}`);
  const sources = dataSources(plan, result.runDir);
  const views = path.join(scratch, "views");
  const { ms } = timed(() => sources.map((source, i) => privateView(source, path.join(views, String(i)))));
  console.log(
    `examples/tabular: ${sources.length} input views, ${ms.toFixed(1)} ms in all; the run took ${(result.durationMs / 1000).toFixed(2)} s`,
  );
  return { ms, share: (100 * ms) / result.durationMs, views: sources.length };
}

function oneGig(scratch: string): { viewMs: number; hashMs: number } {
  const input = path.join(scratch, "gig");
  mkdirSync(input, { recursive: true });
  const block = Buffer.alloc(1024 ** 2);
  for (let i = 0; i < block.length; i++) block[i] = (i * 2654435761) >>> 24;
  for (let f = 0; f < GIB / FILE_BYTES; f++) {
    const fd = openSync(path.join(input, `part-${f}.bin`), "w");
    for (let written = 0; written < FILE_BYTES; written += block.length) writeSync(fd, block);
    closeSync(fd);
  }
  const hash = timed(() => hashTree(input));
  const view = timed(() => privateView(input, path.join(scratch, "gig-view")));
  console.log(
    `1 GiB input (${GIB / FILE_BYTES} files): view ${view.ms.toFixed(0)} ms (${(GIB / 1024 ** 2 / (view.ms / 1000)).toFixed(0)} MiB/s); ` +
      `one hash of it ${hash.ms.toFixed(0)} ms (the input check hashes it twice, with or without views)`,
  );
  return { viewMs: view.ms, hashMs: hash.ms };
}

const scratch = mkdtempSync(path.join(os.tmpdir(), "dagtest-bench-views-"));
try {
  const tabular = await example(scratch);
  const gig = oneGig(scratch);
  console.log(`private-inputs-example: ${tabular.ms.toFixed(1)} ms`);
  console.log(`private-inputs-example-share: ${tabular.share.toFixed(2)} %`);
  console.log(`private-inputs-1gb: ${gig.viewMs.toFixed(0)} ms`);
  console.log(`private-inputs-1gb-vs-hash: ${(gig.viewMs / (2 * gig.hashMs)).toFixed(2)} x`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
