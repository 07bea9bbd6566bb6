/**
 * `dagtest ui [PATH]`: the local web UI. The server's modules (Hono and the rest) are imported
 * only here, so every other command starts as fast as before.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { resolveSpecPath, SPEC_FILE_NAME } from "../../config/spec.js";
import { DagtestError } from "../../errors.js";
import type { FactoryOptions } from "../../factory/create.js";
import type { CommandResult } from "../result.js";
import { addProjectOptions, type ProjectOptions } from "./plan.js";

interface UiCliOptions extends ProjectOptions {
  host: string;
  port?: string;
  open: boolean;
}

export function registerUi(program: Command, done: (result: CommandResult) => void): void {
  addProjectOptions(
    program
      .command("ui")
      .argument("[path]", `a ${SPEC_FILE_NAME} or a folder holding one`)
      .description("open the pipeline in a local web UI: plan, configure, run, history"),
  )
    .option(
      "--host <address>",
      "the address to serve on (anything but loopback is asked for explicitly)",
      "127.0.0.1",
    )
    .option("--port <n>", "the port (default: a free one)")
    .option("--no-open", "print the URL, do not open a browser")
    .action(async (target: string | undefined, options: UiCliOptions) => {
      const { startUiServer } = await import("../../server/serve.js");
      const server = await startUiServer({
        factory: factoryOptions(target, options),
        host: options.host,
        port: parsePort(options.port),
        open: options.open,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.stderr.write("\n[dagtest] ui: stopping\n");
          void server.close().then(resolve);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      done({ stdout: "", exitCode: 0 });
    });
}

function factoryOptions(target: string | undefined, options: ProjectOptions): FactoryOptions {
  if (target && options.dag) {
    throw new DagtestError({
      code: "DAGTEST_USAGE",
      message: "Give either a dagtest.yaml PATH or --dag, not both.",
      hint: "Use `dagtest ui dagtest.yaml`, or `dagtest ui --dag pipeline.dag.json --config config.json --interfaces DIR`.",
    });
  }
  const spec = target ? resolveSpecPath(path.resolve(target)) : path.resolve(SPEC_FILE_NAME);
  if (!options.dag && !existsSync(spec)) resolveSpecPath(process.cwd()); // throws DAGTEST_SPEC_NOT_FOUND
  return {
    project: path.dirname(spec),
    spec,
    ...(options.dag ? { dag: options.dag } : {}),
    ...(options.config ? { config: options.config } : {}),
    ...(options.interfaces ? { interfaces: options.interfaces } : {}),
    ...(options.scripts ? { scripts: options.scripts } : {}),
    ...(options.projectRoot ? { projectRoot: options.projectRoot } : {}),
    ...(options.python ? { python: options.python } : {}),
  };
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new DagtestError({
      code: "DAGTEST_USAGE",
      message: `--port ${value} is not a port number (1-65535).`,
      hint: "Use e.g. --port 8787, or leave it out for a free port.",
    });
  }
  return n;
}
