/**
 * The `dagtest` command's arguments parsed and run (main.ts starts it). User errors
 * (DagtestError) print as code, message, location and hint without a stack; anything else is a
 * bug and says so. Built into its own CommonJS bundle (dist/cli/program.cjs) so that its compiled
 * code can be cached (code-cache.ts).
 */
import type { DagtestError as DagtestErrorType } from "../errors.js";
import { DAGTEST_VERSION } from "../version.js";
import { COMMANDS, DESCRIPTION } from "./commands/catalog.js";
import type { CommandResult } from "./result.js";

/** Exit codes: 0 ok, 1 the pipeline has problems, 2 bad input or usage, 70 internal error. */
export const EXIT = { ok: 0, problems: 1, usage: 2, internal: 70 } as const;

/** Run the command `argv` asks for; resolves with the exit code. */
export async function runProgram(argv: readonly string[]): Promise<number> {
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
  const wanted = commandOf(argv);
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

/** The command `argv` names (`dagtest help run` names `run`), if any. */
export function commandOf(argv: readonly string[]): string | undefined {
  const first = argv.find((a) => !a.startsWith("-"));
  return first === "help" ? argv[argv.indexOf("help") + 1] : first;
}
