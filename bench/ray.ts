/**
 * `npm run bench -- ray`: the Ray executor against the local warm fork server, on the same wide
 * pipeline (1 source → 16 nodes → 1 sink; each node imports pandas and scikit-learn, reads its
 * input, writes a one-row CSV), on a two-node Ray cluster started here on 127.0.0.1 (one CPU
 * each; from the cached Ray venv, scripts/ray-venv.sh) and stopped at the end.
 *
 * Each executor runs the pipeline twice: first with a fresh executor (Ray: joining the cluster,
 * the environment check, Ray's worker processes; warm: starting the fork server), then again on
 * the same executor (as in watch mode). Overhead per node = the node's wall time as the engine
 * sees it (nodeStart → nodeEnd) minus the script's own import + main as the runner measured it:
 * for Ray, shipping the inputs and the code, the task's start, the cold interpreter start of the
 * runner on the worker, bringing the outputs back. Ends with `ray-overhead-per-node` (median, the
 * second run) and `ray-vs-warm` (wall time of the second runs).
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { loadSpecProject } from "../src/config/project.js";
import { RayExecutor } from "../src/exec/ray/executor.js";
import type { Executor } from "../src/exec/types.js";
import { WarmExecutor } from "../src/exec/warm.js";
import type { Plan } from "../src/model/plan.js";
import { planProject } from "../src/plan/build.js";
import { rayPython, startRayCluster } from "../tests/helpers/ray-cluster.js";
import { type Measured, measure, median, wide } from "./_timing.js";

const WIDTH = 16;
const CONCURRENCY = 2;

async function twice(plan: Plan, dir: string, executor: Executor): Promise<[Measured, Measured]> {
  try {
    return [await measure(plan, dir, executor, CONCURRENCY), await measure(plan, dir, executor, CONCURRENCY)];
  } finally {
    await executor.close();
  }
}

const found = rayPython();
if ("skip" in found) {
  console.error(`ray bench skipped: ${found.skip}`);
  process.exit(0);
}
const dir = wide("ray", WIDTH);
const cluster = await startRayCluster(found.python);
try {
  const plan = await planProject(loadSpecProject(path.join(dir, "dagtest.yaml")));
  const warm = await twice(plan, dir, new WarmExecutor());
  const ray = await twice(plan, dir, new RayExecutor({ python: found.python, address: cluster.address }));
  if (![...ray[0].kinds, ...ray[1].kinds].every((k) => k === "ray"))
    throw new Error("a node did not run on Ray");
  const row = (name: string, [first, up]: [Measured, Measured]) =>
    console.log(
      `${name.padEnd(6)} first ${(first.wallMs / 1000).toFixed(2)} s, again ${(up.wallMs / 1000).toFixed(2)} s, ` +
        `overhead/node median ${median(up.overheadMs).toFixed(0)} ms`,
    );
  console.log(`wide: 1 → ${WIDTH} → 1 nodes, --jobs ${CONCURRENCY}; Ray: 2 nodes × 1 CPU on 127.0.0.1`);
  row("warm", warm);
  row("ray", ray);
  console.log(`warm-overhead-per-node: ${median(warm[1].overheadMs).toFixed(1)} ms`);
  console.log(`ray-overhead-per-node: ${median(ray[1].overheadMs).toFixed(1)} ms`);
  console.log(`ray-vs-warm: ${(ray[1].wallMs / warm[1].wallMs).toFixed(1)}x`);
} finally {
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
