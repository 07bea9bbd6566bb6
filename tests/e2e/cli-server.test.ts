/**
 * The built CLI with `run.keep_warm` on (as a user has it): the first `dagtest run` leaves a
 * warm server, the next one forks from it, `dagtest server status` shows it, `dagtest server
 * stop` stops it; `keep_warm: false` leaves none; `--help` answers without loading a command.
 */
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { appendFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { groupAlive } from "../../src/exec/process-group.js";
import { buildCli, cliEnv, cliPath } from "../helpers/cli.js";
import { removeTempDirs } from "../helpers/paths.js";
import { makeProject, script, writeOutput } from "../helpers/run-rig.js";

beforeAll(buildCli, 120_000);
const projects: string[] = [];
afterAll(() => {
  for (const dir of projects) dagtest(["server", "stop"], dir);
  removeTempDirs();
});

function dagtest(args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [cliPath, ...args], {
    cwd,
    env: cliEnv({ DAGTEST_KEEP_WARM: "1" }),
    encoding: "utf8",
    timeout: 120_000,
  });
}

function project(run: Record<string, unknown> = {}): string {
  const dir = makeProject({
    nodes: { only: { source: script(`import json\n${writeOutput("out")}`), outputs: ["out"] } },
    run,
  });
  projects.push(dir);
  return dir;
}

describe("dagtest server", () => {
  it("keeps the warm server between runs; status lists it and stop stops it", () => {
    const dir = project();
    expect(dagtest(["run"], dir).status).toBe(0);
    const status = dagtest(["server", "status", "--json"], dir);
    const servers = JSON.parse(status.stdout) as { pid: number }[];
    expect(servers).toHaveLength(1);
    const pid = servers[0]!.pid;
    appendFileSync(path.join(dir, "scripts/only.py"), "\n# edited\n");
    const rerun = dagtest(["run", "--json"], dir);
    expect(rerun.status, rerun.stderr).toBe(0);
    const result = JSON.parse(rerun.stdout) as { scriptResults: Record<string, { executor: string }> };
    expect(result.scriptResults.only!.executor).toBe("fork");
    expect(
      (JSON.parse(dagtest(["server", "status", "--json"], dir).stdout) as { pid: number }[])[0]!.pid,
    ).toBe(pid);
    expect(dagtest(["server", "stop"], dir).stdout).toContain(`pid ${pid}`);
    expect(groupAlive(pid)).toBe(false);
    expect(dagtest(["server", "status"], dir).stdout).toContain("no warm server");
  });

  it("starts none with run.keep_warm: false, and none when every node is cached", () => {
    const off = project({ keep_warm: false });
    expect(dagtest(["run"], off).status).toBe(0);
    expect(dagtest(["server", "status"], off).stdout).toContain("no warm server");
    const cached = project();
    expect(dagtest(["run"], cached).status).toBe(0);
    dagtest(["server", "stop"], cached);
    expect(dagtest(["run"], cached).status).toBe(0); // all cached: no server is booted
    expect(dagtest(["server", "status"], cached).stdout).toContain("no warm server");
  });

  it("answers --help with every command listed", () => {
    const help = dagtest(["--help"], project());
    expect(help.status).toBe(0);
    for (const name of ["plan", "run", "cache", "init", "status", "serve", "server"])
      expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, "m"));
    const runHelp = dagtest(["help", "run"], project());
    expect(runHelp.stdout).toContain("--fail-fast");
  });
});
