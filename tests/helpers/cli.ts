/**
 * The built CLI for end-to-end tests: `buildCli()` compiles dist/ only when a source file is
 * newer than it, under a lock, so test files running in parallel never build at the same time
 * nor start the CLI while another one is rewriting dist/.
 */
import {
  type ChildProcessWithoutNullStreams,
  execFileSync,
  type SpawnSyncReturns,
  spawn,
  spawnSync,
} from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "vitest";
import { repoRoot, testPython } from "./paths.js";

export const cliPath = path.join(repoRoot, "dist/cli/main.js");
/** The browser UI's bundle (scripts/build-ui.mjs), inlined into report.html and the UI's page. */
const uiBundle = path.join(repoRoot, "dist/ui/app.js");
const lockDir = path.join(repoRoot, "node_modules", ".dagtest-build-lock");
const LOCK_STALE_MS = 5 * 60_000;

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(file));
    else if (/\.(ts|css)$/.test(entry.name) && !entry.name.endsWith(".test.ts"))
      newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}

function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** dist/ is missing or older than a source file or the build config. */
export function cliIsStale(): boolean {
  const built = Math.min(mtime(cliPath), mtime(uiBundle));
  const inputs = Math.max(
    newestSource(path.join(repoRoot, "src")),
    newestSource(path.join(repoRoot, "ui", "src")),
    mtime(path.join(repoRoot, "tsconfig.json")),
    mtime(path.join(repoRoot, "tsconfig.build.json")),
  );
  return built === 0 || inputs > built;
}

async function withLock<T>(work: () => T): Promise<T> {
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      if (Date.now() - mtime(lockDir) > LOCK_STALE_MS) rmSync(lockDir, { recursive: true, force: true });
      await sleep(200);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** `npm run build`'s steps, when dist/ is stale; throws with the compiler's output. */
export async function buildCli(): Promise<void> {
  await withLock(() => {
    if (!cliIsStale()) return;
    try {
      execFileSync(
        process.execPath,
        [path.join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
        { cwd: repoRoot, stdio: "pipe" },
      );
      // The command as `npm run build` ships it: main.js, its chunks and program.cjs.
      execFileSync(process.execPath, [path.join(repoRoot, "scripts/build-cli.mjs")], {
        cwd: repoRoot,
        stdio: "pipe",
      });
      execFileSync(process.execPath, [path.join(repoRoot, "scripts/build-ui.mjs")], {
        cwd: repoRoot,
        stdio: "pipe",
      });
    } catch (error) {
      const out = error as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(
        `npm run build failed:\n${out.stdout?.toString() ?? ""}${out.stderr?.toString() ?? ""}`,
      );
    }
  });
}

/** The environment a user's shell would give the CLI: no colour, the test interpreter. */
export function cliEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", DAGTEST_PYTHON: testPython(), ...extra };
  delete env.FORCE_COLOR;
  return env;
}

/** Run the built CLI as a user would (no colour, the test interpreter). */
export function runCli(args: readonly string[], cwd = repoRoot, timeout = 60_000): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [cliPath, ...args], {
    cwd,
    env: cliEnv(),
    encoding: "utf8",
    timeout,
    maxBuffer: 512 * 1024 * 1024,
  });
}

/** The built CLI running in the background (to interrupt it): its output so far, its exit code. */
export interface RunningCli {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
  /** Poll (every 100 ms, up to `ms`) until `ready` holds; throws with the output if it exits first. */
  readonly until: (ready: () => boolean, ms?: number) => Promise<void>;
}

export function startCli(args: readonly string[], cwd: string, env = cliEnv()): RunningCli {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd, env });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const until = async (ready: () => boolean, ms = 60_000) => {
    const deadline = Date.now() + ms;
    while (!ready()) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`dagtest ${args.join(" ")}: not ready (exit ${child.exitCode}):\n${out}\n${err}`);
      await sleep(100);
    }
  };
  return { child, stdout: () => out, stderr: () => err, exited, until };
}

/** A user error: the exit code, the stable code, a hint, and no stack trace anywhere. */
export function expectUserError(result: SpawnSyncReturns<string>, code: string, exit = 2): void {
  expect(result.status, result.stderr).toBe(exit);
  expect(result.stderr).toContain(code);
  expect(result.stderr).toMatch(/^ {2}hint: \S/m);
  expect(result.stderr).not.toMatch(/^ {4}at /m);
  expect(result.stderr).not.toContain("internal error");
  expect(result.stdout).toBe("");
}
