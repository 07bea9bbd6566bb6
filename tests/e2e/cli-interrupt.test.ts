/**
 * Quitting hard (issue 11, items 6 and 7), through the built CLI: a second Ctrl-C quits at once
 * but keeps the record true and removes the warm server's temp folder; kill -9 of dagtest in
 * `--cold` mode leaves no script (and none of its children) running.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../src/model/run.js";
import { buildCli, cliEnv, cliPath } from "../helpers/cli.js";
import { removeTempDirs, tempDir } from "../helpers/paths.js";
import { makeProject, script, writeOutput } from "../helpers/run-rig.js";

function processesWith(marker: string): string[] {
  const out = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
  return out.split("\n").filter((l) => l.includes(marker) && !l.includes("ps -eo"));
}

/** A project whose `slow` node starts a marked grandchild and sleeps; `dagtest run` started on it. */
async function startHanging(marker: string, args: string[], tmp: string) {
  // It ignores SIGTERM, so stopping it takes the kill grace: the window for a second Ctrl-C.
  const hang = script(
    `import signal, subprocess\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nsubprocess.Popen(["bash", "-c", "exec -a ${marker} sleep 600"], start_new_session=True)\nprint("grandchild started", flush=True)\ntime.sleep(600)`,
  );
  const dir = makeProject({
    nodes: {
      quick: { source: script(writeOutput("out")), outputs: ["out"] },
      slow: { source: hang, inputs: ["out"], outputs: ["out"] },
    },
    edges: [["quick", "slow"]],
  });
  const child = spawn(process.execPath, [cliPath, "run", ".", ...args], {
    cwd: dir,
    env: cliEnv({ TMPDIR: tmp }),
  });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", () => {});
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!(stdout.includes("slow started") && processesWith(marker).length > 0)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`slow never started:\n${stdout}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { dir, child, exited };
}

async function gone(marker: string): Promise<string[]> {
  for (let i = 0; i < 50 && processesWith(marker).length > 0; i++)
    await new Promise((r) => setTimeout(r, 100));
  return processesWith(marker);
}

describe("quitting hard", () => {
  beforeAll(buildCli, 120_000);
  afterAll(removeTempDirs);

  it("a second Ctrl-C quits at once, keeps the record true and leaves no temp folder", async () => {
    const marker = `dagtest_double_${process.pid}_${Date.now()}`;
    const tmp = path.join(tempDir(), "tmp");
    mkdirSync(tmp);
    const { dir, child, exited } = await startHanging(marker, [], tmp);
    child.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 500)); // stopping: the node ignores SIGTERM
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(await gone(marker)).toEqual([]);
    expect(readdirSync(tmp).filter((f) => f.startsWith("dagtest-warm-"))).toEqual([]);
    const runs = readdirSync(path.join(dir, ".dagtest", "runs"));
    const { result } = JSON.parse(
      readFileSync(path.join(dir, ".dagtest", "runs", runs[0]!, "run.json"), "utf8"),
    ) as { result: RunResult };
    expect(result.interrupted).toBe(true);
    expect(result.scriptResults.quick?.status).toBe("passed");
    expect(result.scriptResults.slow).toMatchObject({ status: "cancelled", reason: "cancelled" });
  }, 90_000);

  it("kill -9 of dagtest in --cold mode leaves no script and no child of it running", async () => {
    const marker = `dagtest_kill9_${process.pid}_${Date.now()}`;
    const tmp = path.join(tempDir(), "tmp");
    mkdirSync(tmp);
    const { child, exited } = await startHanging(marker, ["--cold"], tmp);
    child.kill("SIGKILL");
    await exited;
    expect(await gone(marker)).toEqual([]);
  }, 90_000);
});
