/**
 * `dagtest server status|stop [PATH]`: the project's warm servers kept between commands
 * (`run.keep_warm`). `status` lists them; `stop` stops them (they also stop after their idle time).
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { keptServers, stopKeptServers } from "../../exec/kept-server.js";
import type { CommandResult } from "../result.js";

export function registerServer(program: Command, done: (result: CommandResult) => void): void {
  const server = program
    .command("server")
    .description("the warm server kept between commands: `status` lists it, `stop` stops it");
  server
    .command("status")
    .argument("[path]", "a dagtest.yaml or the folder holding one (default: the current folder)")
    .option("--json", "print the servers as JSON")
    .description("list the project's kept warm servers")
    .action(async (target: string | undefined, options: { json?: boolean }) => {
      const servers = await keptServers(projectDir(target));
      if (options.json) return done({ stdout: `${JSON.stringify(servers, null, 2)}\n`, exitCode: 0 });
      const lines = servers.map(
        (s) =>
          `pid ${s.pid}  ${s.python}  ${s.preloaded} module(s) preloaded  ${s.running} job(s) running  idle ${s.idleSeconds} s`,
      );
      done({
        stdout: `${lines.length ? lines.join("\n") : "no warm server is running for this project"}\n`,
        exitCode: 0,
      });
    });
  server
    .command("stop")
    .argument("[path]", "a dagtest.yaml or the folder holding one (default: the current folder)")
    .description("stop the project's kept warm servers")
    .action(async (target: string | undefined) => {
      const stopped = await stopKeptServers(projectDir(target));
      done({
        stdout: stopped.length
          ? `stopped ${stopped.map((p) => `pid ${p}`).join(", ")}\n`
          : "no warm server was running\n",
        exitCode: 0,
      });
    });
}

/** The folder holding `.dagtest/`: the given folder, or the one holding the given file. */
function projectDir(target: string | undefined): string {
  const given = path.resolve(target ?? ".");
  return existsSync(given) && statSync(given).isFile() ? path.dirname(given) : given;
}
