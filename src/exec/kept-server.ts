/**
 * A warm server kept between commands: the next `dagtest run` of the project forks from it at
 * once instead of booting one (about 2 s of imports for pandas and scikit-learn). One per
 * project and interpreter (with its start-up environment), found through its record
 * `.dagtest/warm/<key>.json` (0600, in a 0700 folder), which names its socket (0600, in that
 * folder when the path fits a socket address, else in a private temp folder) and a random token
 * every request must carry. Before use it is checked: same dagtest (version and runner), same
 * interpreter file, same site-packages (their mtimes), same preload list, and it answers a
 * status request; otherwise it is stopped and replaced. It stops itself after `idleMs` without a
 * job. Its jobs get the calling command's environment (each request carries it).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { warmDir } from "../model/layout.js";
import { PROTOCOL_VERSION } from "../model/protocol.js";
import { DAGTEST_VERSION } from "../version.js";
import { runnerMain } from "./cold.js";
import type { ServerReady, ServerSpec, WarmServer } from "./fork-server.js";
import { groupAlive, signalGroup } from "./process-group.js";

import type { KeepSettings } from "./types.js";

export { DEFAULT_KEEP_IDLE_MS, type KeepSettings } from "./types.js";

interface KeptRecord {
  readonly version: string;
  readonly runner: string;
  readonly pid: number;
  readonly socket: string;
  readonly token: string;
  readonly python: string;
  readonly interpreter: { readonly file: string; readonly mtimeMs: number } | null;
  readonly preload: ServerSpec["preload"];
  readonly sites: Readonly<Record<string, number>>;
  readonly status: ServerReady;
  readonly startedAt: string;
}

const PING_TIMEOUT_MS = 2000;
const STOP_GRACE_MS = 3000;
const MAX_SOCKET_PATH = 100;

/** The kept server for `spec` (reused or started), or a string saying why none is available. */
export async function reachKeptServer(
  spec: ServerSpec,
  keep: KeepSettings,
  base: string,
): Promise<KeptServer | string> {
  const dir = warmDir(keep.stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const key = createHash("sha256").update(base).digest("hex").slice(0, 12);
  const recordFile = path.join(dir, `${key}.json`);
  const known = readRecord(recordFile);
  if (known) {
    const stale = staleness(known, spec);
    if (stale === null && (await request(known, "status")) !== null) return new KeptServer(known, recordFile);
    await retire(known, recordFile);
  }
  const lock = takeLock(path.join(dir, `${key}.lock`), spec.bootTimeoutMs);
  if (!lock) return "another dagtest command is starting this project's warm server";
  try {
    return await startKept(spec, keep, dir, key, recordFile);
  } finally {
    lock();
  }
}

/** A kept server as the warm executor sees it: stopping it at the end of a command leaves it running. */
export class KeptServer implements WarmServer {
  readonly socketPath: string;
  readonly status: ServerReady;
  readonly token: string;
  readonly #record: KeptRecord;
  readonly #recordFile: string;
  #ended: string | null = null;
  readonly #listeners = new Set<(why: string) => void>();
  #poll: NodeJS.Timeout | null = null;

  constructor(record: KeptRecord, recordFile: string) {
    this.#record = record;
    this.#recordFile = recordFile;
    this.socketPath = record.socket;
    this.status = record.status;
    this.token = record.token;
  }

  get pid(): number {
    return this.#record.pid;
  }

  get alive(): boolean {
    if (this.#ended === null && !groupAlive(this.pid)) this.#end("exited");
    return this.#ended === null;
  }

  get ended(): string | null {
    return this.alive ? null : this.#ended;
  }

  /** Not a child of this process: its end is seen by polling, while someone listens. */
  onExit(listener: (why: string) => void): () => void {
    if (!this.alive) {
      listener(this.#ended!);
      return () => {};
    }
    this.#listeners.add(listener);
    this.#poll ??= setInterval(() => this.alive, 250).unref();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stopPolling();
    };
  }

  /** The end of a command: the server stays for the next one. */
  async stop(): Promise<void> {
    this.#stopPolling();
  }

  /** It hung or misbehaved: kill it and forget it, so the next command starts a fresh one. */
  kill(): void {
    signalGroup(this.pid, "SIGKILL");
    rmSync(this.#recordFile, { force: true });
    this.#end("was killed by SIGKILL");
  }

  #end(why: string): void {
    this.#ended = why;
    this.#stopPolling();
    for (const listener of this.#listeners) listener(why);
    this.#listeners.clear();
  }

  #stopPolling(): void {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = null;
  }
}

/** `dagtest server status`: every kept server of the project, with what it says about itself. */
export async function keptServers(
  stateDir: string,
): Promise<{ pid: number; python: string; preloaded: number; running: number; idleSeconds: number }[]> {
  const out = [];
  for (const [record, file] of records(stateDir)) {
    const answer = await request(record, "status");
    if (!answer) {
      rmSync(file, { force: true });
      continue;
    }
    out.push({
      pid: record.pid,
      python: record.python,
      preloaded: record.status.preloaded.length,
      running: Number(answer.running ?? 0),
      idleSeconds: Number(answer.idleSeconds ?? 0),
    });
  }
  return out;
}

/** `dagtest server stop`: stop every kept server of the project; their pids. */
export async function stopKeptServers(stateDir: string): Promise<number[]> {
  const stopped: number[] = [];
  for (const [record, file] of records(stateDir)) {
    await retire(record, file);
    stopped.push(record.pid);
  }
  return stopped;
}

function records(stateDir: string): [KeptRecord, string][] {
  const dir = warmDir(stateDir);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".json"));
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const file = path.join(dir, n);
    const record = readRecord(file);
    return record ? [[record, file] as [KeptRecord, string]] : [];
  });
}

/** Why a recorded server must not be reused for `spec`, or null when it may. */
function staleness(record: KeptRecord, spec: ServerSpec): string | null {
  if (record.version !== DAGTEST_VERSION || record.runner !== runnerMain()) return "another dagtest";
  if (record.python !== spec.python) return "another interpreter";
  const interpreter = interpreterStamp(spec.python);
  if (JSON.stringify(interpreter) !== JSON.stringify(record.interpreter)) return "the interpreter changed";
  if (JSON.stringify(record.preload) !== JSON.stringify(spec.preload)) return "other modules to preload";
  if (JSON.stringify(siteStamps(Object.keys(record.sites))) !== JSON.stringify(record.sites))
    return "the installed packages changed";
  return null;
}

async function startKept(
  spec: ServerSpec,
  keep: KeepSettings,
  dir: string,
  key: string,
  recordFile: string,
): Promise<KeptServer | string> {
  const token = randomBytes(24).toString("hex");
  let socket = path.join(dir, `${key}.sock`);
  if (socket.length > MAX_SOCKET_PATH)
    socket = path.join(mkdtempSync(path.join(os.tmpdir(), "dagtest-kept-")), "serve.sock");
  const config = JSON.stringify({
    protocolVersion: PROTOCOL_VERSION,
    preload: spec.preload.imports,
    explicit: spec.preload.explicit,
    keep: { idleSeconds: keep.idleMs / 1000, token, record: recordFile },
  });
  const log = openSync(path.join(dir, `${key}.log`), "w", 0o600);
  let child: ChildProcess;
  try {
    child = spawn(spec.python, [runnerMain(), "serve", socket, config], {
      cwd: dir,
      env: spec.env,
      detached: true,
      stdio: ["ignore", "pipe", log],
    });
  } finally {
    closeSync(log);
  }
  const ready = await readyLine(child, spec.bootTimeoutMs);
  if (typeof ready === "string") {
    if (child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
    return ready;
  }
  child.stdout?.destroy();
  child.unref();
  const record: KeptRecord = {
    version: DAGTEST_VERSION,
    runner: runnerMain(),
    pid: ready.pid,
    socket,
    token,
    python: spec.python,
    interpreter: interpreterStamp(spec.python),
    preload: spec.preload,
    sites: siteStamps(ready.sitePaths ?? []),
    status: ready,
    startedAt: new Date().toISOString(),
  };
  writeFileSync(`${recordFile}.tmp`, JSON.stringify(record, null, 2), { mode: 0o600 });
  renameSync(`${recordFile}.tmp`, recordFile);
  return new KeptServer(record, recordFile);
}

function readyLine(child: ChildProcess, timeoutMs: number): Promise<ServerReady | string> {
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => done(`the warm server was not ready after ${timeoutMs / 1000} s`),
      timeoutMs,
    );
    const lines = createInterface({ input: child.stdout! });
    const done = (value: ServerReady | string) => {
      clearTimeout(timer);
      lines.close();
      resolve(value);
    };
    child.once("error", (error) => done(`the warm server could not start: ${error.message}`));
    child.once("exit", (code, signal) =>
      done(`the warm server ended (${signal ?? `exit code ${code}`}) before it was ready`),
    );
    lines.once("line", (line) => {
      try {
        const status = JSON.parse(line) as ServerReady | { event: "refused"; reason: string };
        if (status.event === "ready") done(status);
        else done(`the warm server refused to fork: ${status.reason}`);
      } catch {
        done(`the warm server said something unexpected: ${line.slice(0, 200)}`);
      }
    });
  });
}

/** Ask a kept server to stop (or make it), and forget its record. */
async function retire(record: KeptRecord, recordFile: string): Promise<void> {
  rmSync(recordFile, { force: true });
  const answered = (await request(record, "stop")) !== null;
  const deadline = Date.now() + STOP_GRACE_MS;
  while (groupAlive(record.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  // Killed only when it is still the recorded server (its command line names its socket).
  if (groupAlive(record.pid) && (answered || ownsSocket(record))) signalGroup(record.pid, "SIGKILL");
}

function ownsSocket(record: KeptRecord): boolean {
  try {
    return readFileSync(`/proc/${record.pid}/cmdline`, "utf8").includes(record.socket);
  } catch {
    return false;
  }
}

/** One management request; the server's answer, or null when it does not answer in time. */
function request(record: KeptRecord, kind: "status" | "stop"): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ path: record.socket });
    const timer = setTimeout(() => finish(null), PING_TIMEOUT_MS);
    let answered = false;
    const finish = (value: Record<string, unknown> | null) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    socket.on("error", () => finish(null));
    socket.on("close", () => finish(null));
    const lines = createInterface({ input: socket });
    lines.on("error", () => finish(null)); // readline passes the socket's errors on
    lines.once("line", (line) => {
      try {
        const answer = JSON.parse(line) as Record<string, unknown>;
        finish(answer.event === kind && answer.pid === record.pid ? answer : null);
      } catch {
        finish(null);
      }
    });
    socket.write(
      `${JSON.stringify({ protocolVersion: PROTOCOL_VERSION, kind, id: `${kind}-${process.pid}`, token: record.token })}\n`,
    );
  });
}

/** An exclusive lock file; its release, or null when another command holds a fresh one. */
function takeLock(file: string, staleAfterMs: number): (() => void) | null {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      closeSync(openSync(file, "wx", 0o600));
      return () => rmSync(file, { force: true });
    } catch {
      const age = Date.now() - (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (age < staleAfterMs) return null;
      rmSync(file, { force: true });
    }
  }
  return null;
}

function interpreterStamp(python: string): KeptRecord["interpreter"] {
  try {
    const file = realpathSync(python);
    return { file, mtimeMs: statSync(file).mtimeMs };
  } catch {
    return null; // a bare command name: the record's python string is the check
  }
}

function siteStamps(dirs: readonly string[]): Record<string, number> {
  const stamp = (dir: string) => {
    try {
      return statSync(dir).mtimeMs;
    } catch {
      return -1; // gone: differs from any recorded time
    }
  };
  return Object.fromEntries(dirs.map((d) => [d, stamp(d)]));
}

function readRecord(file: string): KeptRecord | null {
  try {
    const record = JSON.parse(readFileSync(file, "utf8")) as KeptRecord;
    return typeof record.pid === "number" && typeof record.socket === "string" ? record : null;
  } catch {
    return null;
  }
}
