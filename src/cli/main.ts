#!/usr/bin/env node
/**
 * The `dagtest` command. This file alone calls `process.exit` (through `process.exitCode`): it
 * answers `--help` and `--version` itself, and hands everything else to the program
 * (program.ts), compiled from V8's code cache when the built bundle has one (code-cache.ts).
 */
import { DAGTEST_VERSION } from "../version.js";
import { loadProgram } from "./code-cache.js";
import { COMMANDS, DESCRIPTION, topLevelHelp } from "./commands/catalog.js";

async function main(argv: readonly string[]): Promise<number> {
  // The two answers that need no command: no module beyond this one is loaded for them.
  if (argv.length === 1 && (argv[0] === "--help" || argv[0] === "-h")) {
    process.stdout.write(topLevelHelp(DESCRIPTION));
    return 0;
  }
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
    process.stdout.write(`${DAGTEST_VERSION}\n`);
    return 0;
  }
  // The code cache is kept per command (each compiles its own functions); anything else shares one.
  const first = argv.find((a) => !a.startsWith("-"));
  const command = COMMANDS.some((c) => c.name === first) || first === "help" ? first : "other";
  return (await loadProgram(command ?? "other")).runProgram(argv);
}

process.exitCode = await main(process.argv.slice(2));
