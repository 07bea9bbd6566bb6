/**
 * `npm run bench -- cache`: what the content-addressed cache saves on the bundled example. A copy
 * of examples/tabular in a temp folder is run three times in this process, each measured as
 * `dagtest run` does it (load + plan, with its Python static check, + fingerprint + run + evict),
 * with the executor the CLI makes by default and as many workers as the CLI uses:
 *
 *   1. first run: an empty cache, every script runs;
 *   2. unchanged rerun: every script should come from the cache;
 *   3. after editing one leaf script (package.py): only Package should rerun.
 *
 * Steps 1 and 2 are repeated (each round from an empty `.dagtest/`, after one warm-up round) and
 * the round with the median ratio is shown. The figure is the unchanged rerun's wall time as a percentage of the first
 * run's.
 */
import { appendFileSync, cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LocalCache } from "../src/cache/store.js";
import { loadSpecProject } from "../src/config/project.js";
import { runPlan } from "../src/engine/run.js";
import { createExecutor } from "../src/exec/index.js";
import type { RunResult } from "../src/model/run.js";
import { planProject } from "../src/plan/build.js";
import { rememberedFacts } from "../src/plan/facts.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const python = path.join(root, ".venv/bin/python");
const LEAF = "Package";
/** First run + rerun pairs; the reported pair is the one with the median ratio (`--rounds N`). */
const ROUNDS = 5;
const SETTLE_MS = 1500;

interface Measured {
  readonly label: string;
  readonly planMs: number;
  readonly totalMs: number;
  readonly executor: string;
  readonly result: RunResult;
}

/** One `dagtest run` of the project, timed from loading the spec to evicting the cache. */
async function measure(label: string, dir: string): Promise<Measured> {
  const started = performance.now();
  const project = loadSpecProject(path.join(dir, "dagtest.yaml"), { python });
  const plan = await planProject(project, rememberedFacts(project, true));
  const planMs = performance.now() - started;
  const executor = createExecutor();
  const cache = new LocalCache(project.baseDir);
  try {
    const result = await runPlan(plan, {
      executor,
      stateDir: project.baseDir,
      python: plan.sources.python.executable ?? project.python,
      concurrency: Math.max(1, os.availableParallelism()),
      cache,
    });
    cache.evict(project.execution.cache.max_mb * 1024 * 1024);
    return { label, planMs, totalMs: performance.now() - started, executor: executor.name, result };
  } finally {
    await executor.close();
  }
}

function statuses(result: RunResult, status: string): string[] {
  return Object.values(result.scriptResults)
    .filter((r) => r.status === status)
    .map((r) => r.node);
}

function row(m: Measured): string {
  const s = m.result.summary;
  const ran = statuses(m.result, "passed");
  const names = ran.length === 0 ? "-" : ran.length === s.passed + s.cached ? "all" : ran.join(", ");
  return `| ${m.label.padEnd(23)} | ${m.planMs.toFixed(0).padStart(7)} | ${m.totalMs.toFixed(0).padStart(8)} | ${String(s.passed).padStart(3)} | ${String(s.cached).padStart(6)} | ${names.padEnd(9)} |`;
}

/**
 * A pause between runs, as between two `dagtest run` commands: the previous run's fork server
 * is still exiting and its writes are still being flushed right after it returns, and on a
 * 2-core machine that would be timed as part of the next run.
 */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

/** The pair (first run, unchanged rerun) whose ratio is the median of the rounds. */
function medianPair(pairs: readonly (readonly [Measured, Measured])[]): readonly [Measured, Measured] {
  const sorted = [...pairs].sort((a, b) => a[1].totalMs / a[0].totalMs - b[1].totalMs / b[0].totalMs);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const rounds = Number(process.argv[process.argv.indexOf("--rounds") + 1]) || ROUNDS;
const dir = mkdtempSync(path.join(os.tmpdir(), "dagtest-bench-cache-"));
try {
  cpSync(path.join(root, "examples/tabular"), dir, {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}.dagtest`) && !src.includes("__pycache__"),
  });
  const pairs: [Measured, Measured][] = [];
  // Round 0 is a warm-up (JIT, file cache), as in bench/plan.ts: not counted.
  for (let round = 0; round <= rounds; round++) {
    // Every round starts as a first run does: no cache, no run history, no bytecode.
    rmSync(path.join(dir, ".dagtest"), { recursive: true, force: true });
    for (const cache of ["src/__pycache__", "src/scripts/__pycache__"])
      rmSync(path.join(dir, cache), { recursive: true, force: true });
    const first = await measure("first run (empty cache)", dir);
    await settle();
    const pair: [Measured, Measured] = [first, await measure("unchanged rerun", dir)];
    await settle();
    if (round > 0) pairs.push(pair);
  }
  const [cold, rerun] = medianPair(pairs);
  appendFileSync(path.join(dir, "src/scripts/package.py"), "\n# edited by the cache benchmark\n");
  const edited = await measure(`edit leaf (${LEAF})`, dir);

  console.log(
    `examples/tabular, ${os.availableParallelism()} workers, executor ${cold.executor}, median of ${rounds} rounds`,
  );
  console.log("| run                     | plan ms | total ms | ran | cached | ran nodes |");
  console.log("|-------------------------|---------|----------|-----|--------|-----------|");
  for (const m of [cold, rerun, edited]) console.log(row(m));

  const problems: string[] = [];
  for (const [first, again] of pairs) {
    if (!first.result.pipelineSuccess || first.result.summary.passed !== 8)
      problems.push(`the first run should pass 8 scripts: ${JSON.stringify(first.result.summary)}`);
    if (again.result.summary.cached !== 8)
      problems.push(`the unchanged rerun should restore 8 scripts, ran: ${statuses(again.result, "passed")}`);
  }
  if (statuses(edited.result, "passed").join() !== LEAF)
    problems.push(
      `editing ${LEAF}'s script should rerun it alone, ran: ${statuses(edited.result, "passed")}`,
    );
  for (const p of problems) console.error(`bench cache: ${p}`);
  console.log(`unchanged-rerun: ${((100 * rerun.totalMs) / cold.totalMs).toFixed(1)} %`);
  if (problems.length > 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
