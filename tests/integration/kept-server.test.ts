/**
 * A warm server kept between commands: reused by the next executor (a new command), checked
 * before use and replaced when stale, private to the project, and stopped by `server stop`.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { keptServers, stopKeptServers } from "../../src/exec/kept-server.js";
import { groupAlive } from "../../src/exec/process-group.js";
import { WarmExecutor } from "../../src/exec/warm.js";
import { warmDir } from "../../src/model/layout.js";
import { makeProject, runProject, script } from "../helpers/run-rig.js";

const projects: string[] = [];
afterEach(async () => {
  for (const dir of projects.splice(0)) await stopKeptServers(dir);
});

/** A one-node project whose script writes $GREETING and its own parent's pid (the server). */
function project(): string {
  const dir = makeProject({
    nodes: {
      hello: {
        source: script(
          `os.makedirs(output_paths["out"], exist_ok=True)\nopen(os.path.join(output_paths["out"], "said.txt"), "w").write(os.environ.get("GREETING", "-") + " " + str(os.getppid()))`,
        ),
        outputs: ["out"],
      },
    },
  });
  projects.push(dir);
  return dir;
}

/** One command: a fresh executor, one run, closed. What the script wrote. */
async function command(dir: string): Promise<{ greeting: string; server: number; executor: string | null }> {
  const executor = new WarmExecutor({ keep: { stateDir: dir, idleMs: 60_000 } });
  try {
    const run = await runProject(dir, executor);
    const result = run.result.scriptResults.hello!;
    expect(result.status, JSON.stringify(result)).toBe("passed");
    const said = readFileSync(path.join(run.result.runDir, "hello", "out", "out", "said.txt"), "utf8");
    const [greeting, server] = said.split(" ");
    return { greeting: greeting!, server: Number(server), executor: result.executor ?? null };
  } finally {
    await executor.close();
  }
}

function record(dir: string): Record<string, unknown> & { pid: number; socket: string; file: string } {
  const file = path.join(warmDir(dir), readdirJson(dir));
  return { ...(JSON.parse(readFileSync(file, "utf8")) as { pid: number; socket: string }), file };
}

function readdirJson(dir: string): string {
  return readdirSync(warmDir(dir)).find((n: string) => n.endsWith(".json"))!;
}

describe("a warm server kept between commands", () => {
  it("outlives a command, is reused by the next, and gives each job the calling command's env", async () => {
    const dir = project();
    process.env.GREETING = "first";
    const first = await command(dir);
    expect(first.greeting).toBe("first");
    expect(first.executor).toBe("fork");
    const kept = record(dir);
    expect(groupAlive(kept.pid)).toBe(true);
    // The next command: a new executor reaches the same server; the job sees the new env.
    process.env.GREETING = "second";
    writeFileSync(
      path.join(dir, "scripts/hello.py"),
      `${readFileSync(path.join(dir, "scripts/hello.py"), "utf8")}\n# edited\n`,
    );
    const second = await command(dir);
    delete process.env.GREETING;
    expect(second.greeting).toBe("second");
    expect(record(dir).pid).toBe(kept.pid);
    expect(await keptServers(dir)).toMatchObject([{ pid: kept.pid, running: 0 }]);
    // Private: the folder 0700, the socket and the record 0600.
    expect(statSync(warmDir(dir)).mode & 0o777).toBe(0o700);
    expect(statSync(kept.socket).mode & 0o777).toBe(0o600);
    expect(statSync(kept.file).mode & 0o777).toBe(0o600);
    expect(await stopKeptServers(dir)).toEqual([kept.pid]);
    await new Promise((r) => setTimeout(r, 200));
    expect(groupAlive(kept.pid)).toBe(false);
  });

  it("refuses a request without the project's token", async () => {
    const dir = project();
    await command(dir);
    const { socket } = record(dir);
    const answer = await new Promise<string>((resolve) => {
      const conn = net.createConnection({ path: socket });
      let text = "";
      conn.on("data", (d) => {
        text += d.toString();
      });
      conn.on("close", () => resolve(text));
      conn.write(`${JSON.stringify({ protocolVersion: 1, kind: "status", id: "x", token: "wrong" })}\n`);
    });
    expect(answer).toContain("refused");
  });

  it("replaces a crashed server, and one whose installed packages changed, without failing the run", async () => {
    const dir = project();
    await command(dir);
    const crashed = record(dir);
    process.kill(-crashed.pid, "SIGKILL");
    await new Promise((r) => setTimeout(r, 200));
    writeFileSync(
      path.join(dir, "scripts/hello.py"),
      `${readFileSync(path.join(dir, "scripts/hello.py"), "utf8")}\n# 1\n`,
    );
    const after = await command(dir);
    expect(after.executor).toBe("fork");
    const replaced = record(dir);
    expect(replaced.pid).not.toBe(crashed.pid);
    // A site-packages folder that changed since the server started (a pip install): replaced.
    const sites = replaced.sites as Record<string, number>;
    const stale = { ...replaced, sites: Object.fromEntries(Object.keys(sites).map((k) => [k, 1])) };
    writeFileSync(replaced.file, JSON.stringify(stale));
    writeFileSync(
      path.join(dir, "scripts/hello.py"),
      `${readFileSync(path.join(dir, "scripts/hello.py"), "utf8")}\n# 2\n`,
    );
    await command(dir);
    expect(record(dir).pid).not.toBe(replaced.pid);
    await new Promise((r) => setTimeout(r, 200));
    expect(groupAlive(replaced.pid)).toBe(false);
  });
});
