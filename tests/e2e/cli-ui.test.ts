/**
 * `dagtest ui` as a user starts it: one URL with a token on a free loopback port, served until
 * Ctrl-C (exit 0, no process left); usage errors exit 2; every other command never loads the
 * server's modules (CLI start-up stays fast).
 */
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, cliEnv, cliPath } from "../helpers/cli.js";
import { removeTempDirs, repoRoot } from "../helpers/paths.js";
import { fixtureCopy } from "../helpers/ui.js";

beforeAll(buildCli, 180_000);
afterAll(removeTempDirs);

describe("dagtest ui", () => {
  it("prints one token URL on 127.0.0.1, serves the page, and stops cleanly on Ctrl-C", async () => {
    const dir = fixtureCopy("linear");
    const child = spawn(process.execPath, [cliPath, "ui", dir, "--no-open"], {
      env: cliEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        const found = stderr.match(/dagtest ui: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/);
        if (found) resolve(found[1]!);
      });
      child.on("exit", () => reject(new Error(`exited early: ${stderr}`)));
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect((await fetch(new URL("/api/state", url))).status).toBe(401);
    // An open event stream (a browser tab left open) does not keep the server from stopping.
    const token = new URL(url).searchParams.get("token") ?? "";
    const stream = await fetch(new URL(`/api/events?token=${token}`, url));
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const stopped = Date.now();
    child.kill("SIGINT");
    expect(await exit).toBe(0);
    expect(Date.now() - stopped).toBeLessThan(5000);
    expect(stderr).not.toMatch(/warning/);
  }, 60_000);

  it("exits 2 with a code and a hint on a bad --port, or no dagtest.yaml", () => {
    const bad = spawnSync(
      process.execPath,
      [cliPath, "ui", fixtureCopy("linear"), "--port", "99999", "--no-open"],
      { env: cliEnv(), encoding: "utf8" },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("DAGTEST_USAGE");
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const none = spawnSync(process.execPath, [cliPath, "ui", "--no-open"], {
      env: cliEnv(),
      encoding: "utf8",
      cwd: path.dirname(fixtureCopy("linear")),
    });
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("DAGTEST_SPEC_NOT_FOUND");
  });

  it("loads the server's modules only for `dagtest ui` (a dynamic import, nowhere else)", () => {
    const cliDir = path.join(repoRoot, "src/cli");
    const files = readdirSync(cliDir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    const staticImports = files.filter((f) =>
      /from\s+"[./]+\/server\//.test(readFileSync(path.join(cliDir, f), "utf8")),
    );
    expect(staticImports).toEqual([]);
    const ui = readFileSync(path.join(cliDir, "commands/ui.ts"), "utf8");
    expect(ui).toMatch(/await import\("\.\.\/\.\.\/server\/serve\.js"\)/);
  });
});
