/**
 * The commands, loaded on demand: `dagtest run` loads the run command's modules only, and
 * `dagtest --help` loads none (it prints this table), so the CLI starts about as fast as Node.
 */
import type { Command } from "commander";
import type { CommandResult } from "../result.js";

type Register = (program: Command, done: (result: CommandResult) => void) => void;

export const DESCRIPTION =
  "Run an ML pipeline's Python scripts locally, in DAG order, before paying for a cloud run.";

export interface CommandEntry {
  readonly name: string;
  /** As shown by `dagtest --help`. */
  readonly usage: string;
  readonly summary: string;
  readonly load: () => Promise<Register>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "plan",
    usage: "plan [options] [path]",
    summary: "find the scripts, derive what each needs, wire outputs to inputs, and print the plan",
    load: async () => (await import("./plan.js")).registerPlan,
  },
  {
    name: "run",
    usage: "run [options] [path]",
    summary: "run every script in its own process, in DAG order, and check the data on every edge",
    load: async () => (await import("./run.js")).registerRun,
  },
  {
    name: "cache",
    usage: "cache",
    summary: "manage the content-addressed cache of node outputs",
    load: async () => (await import("./cache.js")).registerCache,
  },
  {
    name: "init",
    usage: "init [options] [path]",
    summary: "write dagtest.yaml, asking only for what no script, interface or config can provide",
    load: async () => (await import("./init.js")).registerInit,
  },
  {
    name: "status",
    usage: "status [options] [path]",
    summary: "show each script's configuration state, what is missing, and whether testing can start",
    load: async () => (await import("./status.js")).registerStatus,
  },
  {
    name: "serve",
    usage: "serve [options]",
    summary: "run the engine for the Python package: JSON-RPC over stdin/stdout (--stdio)",
    load: async () => (await import("./serve.js")).registerServe,
  },
  {
    name: "ui",
    usage: "ui [options] [path]",
    summary: "open the pipeline in a local web UI: plan, configure, run, history",
    load: async () => (await import("./ui.js")).registerUi,
  },
  {
    name: "snapshots",
    usage: "snapshots",
    summary: "manage dagtest.snap.json, the snapshots of the outputs",
    load: async () => (await import("./snapshots.js")).registerSnapshots,
  },
  {
    name: "server",
    usage: "server",
    summary: "the warm server kept between commands: `status` lists it, `stop` stops it",
    load: async () => (await import("./server.js")).registerServer,
  },
];

/** `dagtest --help`, in commander's layout, without loading commander or any command. */
export function topLevelHelp(description: string): string {
  const rows: [string, string][] = [
    ...COMMANDS.map((c) => [c.usage, c.summary] as [string, string]),
    ["help [command]", "display help for command"],
  ];
  const width = rows.reduce((w, [usage]) => Math.max(w, usage.length), "-V, --version".length);
  const row = ([left, right]: [string, string]) => `  ${left.padEnd(width)}  ${right}`;
  return [
    "Usage: dagtest [options] [command]",
    "",
    description,
    "",
    "Options:",
    row(["-V, --version", "output the version number"]),
    row(["-h, --help", "display help for command"]),
    "",
    "Commands:",
    ...rows.map(row),
    "",
  ].join("\n");
}
