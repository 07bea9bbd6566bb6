/**
 * `dagtest serve --stdio`: the engine behind the Python package, speaking the protocol of
 * src/serve/protocol.ts on stdin/stdout until stdin closes.
 */
import type { Command } from "commander";
import { DagtestError } from "../../errors.js";
import { serveStdio } from "../../serve/stdio.js";
import type { CommandResult } from "../result.js";

export function registerServe(program: Command, done: (result: CommandResult) => void): void {
  program
    .command("serve")
    .description("run the engine for the Python package: JSON-RPC over stdin/stdout (--stdio)")
    .option("--stdio", "speak the protocol on stdin/stdout (the only transport)")
    .action(async (options: { stdio?: boolean }) => {
      if (!options.stdio) {
        throw new DagtestError({
          code: "DAGTEST_USAGE",
          message: "dagtest serve needs a transport.",
          hint: "Use `dagtest serve --stdio` (the Python package starts it for you).",
        });
      }
      const output = process.stdout;
      // stdout carries the protocol alone: anything logged goes to stderr.
      console.log = console.error;
      console.info = console.error;
      // SIGTERM/SIGINT (the client stopping us) end the conversation like EOF: runs stop cleanly.
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.on("SIGTERM", stop);
      process.on("SIGINT", stop);
      await serveStdio({ input: process.stdin, output, signal: controller.signal });
      process.stdin.destroy();
      done({ stdout: "", exitCode: 0 });
    });
}
