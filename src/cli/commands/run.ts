/** `dagtest run [PATH]`: plan, then run every script in DAG order; exit 0 only when all passed. */
import os from "node:os";
import type { Command } from "commander";
import { runPlan } from "../../engine/run.js";
import { DagtestError } from "../../errors.js";
import { ColdExecutor } from "../../exec/cold.js";
import type { Reporter } from "../../model/events.js";
import { planProject } from "../../plan/build.js";
import { ConsoleReporter } from "../../reporters/console.js";
import { JUnitReporter } from "../../reporters/junit.js";
import { renderPlanIssues } from "../../reporters/plan-text.js";
import type { CommandResult } from "../result.js";
import { addProjectOptions, loadProject, type ProjectOptions } from "./plan.js";

interface RunCliOptions extends ProjectOptions {
  jobs?: string;
  failFast?: boolean;
  shuffle?: string | boolean;
  json?: boolean;
  junit?: string;
}

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
    .action(async (target: string | undefined, options: RunCliOptions) => {
      const project = loadProject(target, options);
      const plan = await planProject(project);
      const reporters: Reporter[] = [
        new ConsoleReporter({ stream: options.json ? process.stderr : process.stdout }),
      ];
      if (options.junit) reporters.push(new JUnitReporter(options.junit));
      if (plan.summary.errors > 0 || plan.questions.length > 0) {
        (options.json ? process.stderr : process.stdout).write(renderPlanIssues(plan));
      }
      const controller = new AbortController();
      let interrupts = 0;
      const onSigint = () => {
        interrupts++;
        if (interrupts === 1) {
          process.stderr.write("\n[dagtest] stopping: Ctrl-C again to quit at once\n");
          controller.abort();
        } else process.exit(130);
      };
      process.on("SIGINT", onSigint);
      process.on("SIGTERM", onSigint);
      const shuffleSeed = parseShuffle(options.shuffle);
      if (shuffleSeed !== null)
        process.stderr.write(`[dagtest] shuffled order, replay with --shuffle ${shuffleSeed}\n`);
      const executor = new ColdExecutor();
      try {
        const result = await runPlan(plan, {
          executor,
          stateDir: project.baseDir,
          python: plan.sources.python.executable ?? project.python,
          reporters,
          concurrency: parseJobs(options.jobs),
          failFast: options.failFast ?? false,
          shuffleSeed,
          signal: controller.signal,
        });
        const exitCode = controller.signal.aborted ? 130 : result.pipelineSuccess ? 0 : 1;
        done({ stdout: options.json ? `${JSON.stringify(result, null, 2)}\n` : "", exitCode });
      } finally {
        process.off("SIGINT", onSigint);
        process.off("SIGTERM", onSigint);
        await executor.close();
      }
    });
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
