/** `dagtest run [PATH]`: plan, then run every script in DAG order; exit 0 only when all passed. */
import os from "node:os";
import type { Command } from "commander";
import { ciFromEnv } from "../../engine/session.js";
import { DagtestError } from "../../errors.js";
import type { CommandResult } from "../result.js";
import { type RunSettings, runOnce } from "../run-once.js";
import { addProjectOptions, type ProjectOptions } from "./plan.js";

interface RunCliOptions extends ProjectOptions {
  jobs?: string;
  failFast?: boolean;
  shuffle?: string | boolean;
  json?: boolean;
  junit?: string;
  report?: string;
  cache?: boolean;
  force?: string[];
  only?: string[];
  from?: string[];
  to?: string[];
  watch?: boolean;
  cold?: boolean;
  updateSnapshots?: boolean;
  ci?: boolean;
  executor?: string;
  rayAddress?: string;
  sample?: string;
}

const list = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean),
];

export function registerRun(program: Command, done: (result: CommandResult) => void): void {
  addProjectOptions(
    program
      .command("run")
      .argument("[path]", "a dagtest.yaml or a folder holding one")
      .description("run every script in its own process, in DAG order, and check the data on every edge"),
  )
    .option("-j, --jobs <n>", "how many scripts may run at once (default: the number of cores)")
    .option("--fail-fast", "start no new script after the first failure (default: keep going)")
    .option("--shuffle [seed]", "start equal-ready scripts in a random order, to expose missing edges")
    .option("--json", "print the run result as JSON on stdout (progress goes to stderr)")
    .option("--junit <file>", "write a JUnit XML report, one test case per node")
    .option("--report <file>", "also write the run's report.html (always in the run folder) to this file")
    .option("--no-cache", "run every node, and store nothing in the cache")
    .option("--force <nodes>", "run these nodes even when cached (comma-separated, repeatable)", list)
    .option(
      "--only <nodes>",
      "run only these nodes; upstream outputs come from the cache or the last run",
      list,
    )
    .option("--from <nodes>", "run these nodes and everything downstream of them", list)
    .option("--to <nodes>", "run these nodes and everything upstream of them", list)
    .option("--watch", "rerun what changed (scripts, their imports, interfaces, config, data) until Ctrl-C")
    .option("--cold", "start every script in a fresh Python process instead of forking the warm server")
    .option(
      "--update-snapshots",
      "record each passing node's outputs in dagtest.snap.json (replacing what is there)",
    )
    .option("--ci", "CI mode (also CI=true): never write snapshots; a node without one fails")
    .option(
      "--executor <name>",
      "where nodes run: local (this machine) or ray (a Ray cluster); default: run.executor",
    )
    .option(
      "--ray-address <url>",
      "the Ray cluster's address (HOST:PORT or ray://HOST:PORT); default: run.ray.address, RAY_ADDRESS",
    )
    .option(
      "--sample <n>",
      "cut every user-supplied dataset to n rows (stratified by the label) before any script sees it",
    )
    .action(async (target: string | undefined, options: RunCliOptions) => {
      const settings: RunSettings = {
        target,
        project: options,
        concurrency: parseJobs(options.jobs),
        failFast: options.failFast ?? false,
        shuffleSeed: parseShuffle(options.shuffle),
        json: options.json ?? false,
        junit: options.junit ?? null,
        report: options.report ?? null,
        cache: options.cache !== false,
        force: options.force ?? [],
        selection: { only: options.only ?? [], from: options.from ?? [], to: options.to ?? [] },
        command: resumeCommand(target, options),
        cold: options.cold ?? false,
        snapshotMode: snapshotMode(options),
        ...parseExecutor(options),
        sample: parseSample(options.sample),
      };
      if (settings.shuffleSeed !== null) {
        process.stderr.write(`[dagtest] shuffled order, replay with --shuffle ${settings.shuffleSeed}\n`);
      }
      // Watch mode's file watcher is loaded only when asked for.
      done(options.watch ? await (await import("../watch.js")).watchRuns(settings) : await runOnce(settings));
    });
}

/**
 * The command a user would type again, for resume hints: with the options that say where the
 * pipeline is, or `dagtest run --dag ...` would be suggested back as a bare `dagtest run`.
 */
function resumeCommand(target: string | undefined, options: ProjectOptions): string {
  const words = ["dagtest", "run"];
  if (target) words.push(target);
  const add = (flag: string, value: string | undefined) => {
    if (value !== undefined) words.push(flag, value);
  };
  add("--dag", options.dag);
  add("--config", options.config);
  for (const dir of options.interfaces ?? []) add("--interfaces", dir);
  for (const dir of options.scripts ?? []) add("--scripts", dir);
  add("--project-root", options.projectRoot);
  add("--python", options.python);
  return words.map(shellWord).join(" ");
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

function snapshotMode(options: RunCliOptions): RunSettings["snapshotMode"] {
  const ci = (options.ci ?? false) || ciFromEnv();
  if (options.updateSnapshots && ci) {
    throw new DagtestError({
      code: "DAGTEST_USAGE",
      message: `--update-snapshots cannot be used in CI mode (${options.ci ? "--ci" : "CI=true"}): CI never writes snapshots.`,
      hint: "Update the snapshots locally (`dagtest run --update-snapshots`), review and commit dagtest.snap.json.",
    });
  }
  return { update: options.updateSnapshots ?? false, ci, required: options.ci ?? false };
}

function parseJobs(value: string | undefined): number {
  if (value === undefined) return Math.max(1, os.availableParallelism());
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new DagtestError({
      code: "DAGTEST_USAGE",
      message: `--jobs ${value} is not a whole number of at least 1.`,
      hint: "Use e.g. --jobs 2.",
    });
  }
  return n;
}

function parseSample(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new DagtestError({
      code: "DAGTEST_USAGE",
      message: `--sample ${value} is not a whole number of rows of at least 1.`,
      hint: "Use e.g. --sample 50.",
    });
  }
  return n;
}

function parseShuffle(value: string | boolean | undefined): number | null {
  if (value === undefined || value === false) return null;
  if (value === true) return Math.floor(Math.random() * 2 ** 31);
  const n = Number(value);
  if (!Number.isInteger(n)) {
    throw new DagtestError({
      code: "DAGTEST_USAGE",
      message: `--shuffle ${value} is not a whole-number seed.`,
      hint: "Use --shuffle, or --shuffle 42 to replay an order.",
    });
  }
  return n;
}

function parseExecutor(options: RunCliOptions): Pick<RunSettings, "executor" | "rayAddress"> {
  const name = options.executor;
  if (name !== undefined && name !== "local" && name !== "ray") {
    throw new DagtestError({
      code: "DAGTEST_USAGE",
      message: `--executor ${name} is not an executor dagtest knows.`,
      hint: "Use --executor local (this machine) or --executor ray (a Ray cluster).",
    });
  }
  return {
    ...(name ? { executor: name } : {}),
    ...(options.rayAddress ? { rayAddress: options.rayAddress } : {}),
  };
}
