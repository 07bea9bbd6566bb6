#!/usr/bin/env node
/**
 * The `dagtest` command. This file alone calls `process.exit`; user errors (DagtestError) print
 * as code, message, location and hint without a stack; anything else is a bug and says so.
 */
import { Command, CommanderError } from "commander";
import pc from "picocolors";
import { DagtestError } from "../errors.js";
import { DAGTEST_VERSION } from "../version.js";
import { registerCache } from "./commands/cache.js";
import { registerInit } from "./commands/init.js";
import { registerPlan } from "./commands/plan.js";
import { registerRun } from "./commands/run.js";
import { registerServe } from "./commands/serve.js";
import { registerSnapshots } from "./commands/snapshots.js";
import { registerStatus } from "./commands/status.js";
import { registerUi } from "./commands/ui.js";
import { formatError } from "./format-error.js";
import type { CommandResult } from "./result.js";

/** Exit codes: 0 ok, 1 the pipeline has problems, 2 bad input or usage, 70 internal error. */
export const EXIT = { ok: 0, problems: 1, usage: 2, internal: 70 } as const;

export async function main(argv: readonly string[]): Promise<number> {
  let result: CommandResult | undefined;
  const program = new Command()
    .name("dagtest")
    .description("Run an ML pipeline's Python scripts locally, in DAG order, before paying for a cloud run.")
    .version(DAGTEST_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  const done = (r: CommandResult) => {
    result = r;
  };
  registerPlan(program, done);
  registerRun(program, done);
  registerCache(program, done);
  registerInit(program, done);
  registerStatus(program, done);
  registerServe(program, done);
  registerUi(program, done);
  registerSnapshots(program, done);
  const wantsJson = argv.includes("--json");
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof DagtestError) {
      if (wantsJson) process.stdout.write(`${JSON.stringify({ error: error.toJSON() }, null, 2)}\n`);
      else process.stderr.write(formatError(error));
      return EXIT.usage;
    }
    process.stderr.write(
      `${pc.red("internal error, please report")} (dagtest ${DAGTEST_VERSION}):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT.internal;
  }
  if (!result) return EXIT.ok;
  process.stdout.write(result.stdout);
  return result.exitCode;
}

const exitCode = await main(process.argv.slice(2));
process.exitCode = exitCode;
