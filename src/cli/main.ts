#!/usr/bin/env node
/**
 * The `dagtest` command. This file alone calls `process.exit`; user errors (DagtestError) print
 * as code, message, location and hint without a stack; anything else is a bug and says so.
 */
import type { DagtestError as DagtestErrorType } from "../errors.js";
import { DAGTEST_VERSION } from "../version.js";
import { COMMANDS, topLevelHelp } from "./commands/catalog.js";
import type { CommandResult } from "./result.js";

/** Exit codes: 0 ok, 1 the pipeline has problems, 2 bad input or usage, 70 internal error. */
export const EXIT = { ok: 0, problems: 1, usage: 2, internal: 70 } as const;

const DESCRIPTION =
  "Run an ML pipeline's Python scripts locally, in DAG order, before paying for a cloud run.";

export async function main(argv: readonly string[]): Promise<number> {
  // The two answers that need no command: no module beyond this one is loaded for them.
  if (argv.length === 1 && (argv[0] === "--help" || argv[0] === "-h")) {
    process.stdout.write(topLevelHelp(DESCRIPTION));
    return EXIT.ok;
  }
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
    process.stdout.write(`${DAGTEST_VERSION}\n`);
    return EXIT.ok;
  }
  const [{ Command, CommanderError }, { DagtestError }] = await Promise.all([
    import("commander"),
    import("../errors.js"),
  ]);
  let result: CommandResult | undefined;
  const program = new Command()
    .name("dagtest")
    .description(DESCRIPTION)
    .version(DAGTEST_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  const done = (r: CommandResult) => {
    result = r;
  };
  // Only the command asked for is loaded; the others are names for help and suggestions.
  const first = argv.find((a) => !a.startsWith("-"));
  const wanted = first === "help" ? argv[argv.indexOf("help") + 1] : first;
  for (const entry of COMMANDS) {
    if (entry.name === wanted) (await entry.load())(program, done);
    else program.command(entry.name).description(entry.summary);
  }
  const wantsJson = argv.includes("--json");
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof DagtestError) return userError(error, wantsJson);
    const pc = (await import("picocolors")).default;
    process.stderr.write(
      `${pc.red("internal error, please report")} (dagtest ${DAGTEST_VERSION}):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT.internal;
  }
  if (!result) return EXIT.ok;
  process.stdout.write(result.stdout);
  return result.exitCode;
}

async function userError(error: DagtestErrorType, json: boolean): Promise<number> {
  if (json) process.stdout.write(`${JSON.stringify({ error: error.toJSON() }, null, 2)}\n`);
  else process.stderr.write((await import("./format-error.js")).formatError(error));
  return EXIT.usage;
}

const exitCode = await main(process.argv.slice(2));
process.exitCode = exitCode;
