import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir } from "../../tests/helpers/paths.js";
import { PROTOCOL_VERSION, type StepJob } from "../model/protocol.js";
import { runForked } from "./fork-job.js";
import type { ServerReady, WarmServer } from "./fork-server.js";
import type { ExecRequest } from "./types.js";

afterAll(removeTempDirs);

/**
 * A stand-in fork server that answers a job with the given control lines, in that order, once
 * all three connections are in, and then closes the two streams (the child's end).
 */
async function fakeServer(
  lines: (pid: number) => object[],
  pid: number,
): Promise<WarmServer & { close(): void }> {
  const socketPath = path.join(tempDir(), "s.sock");
  const conns: { control?: net.Socket; streams: net.Socket[] } = { streams: [] };
  const server = net.createServer((conn) => {
    conn.once("data", (first) => {
      const header = JSON.parse(first.toString().split("\n")[0]!) as { kind: string };
      if (header.kind === "run") conns.control = conn;
      else conns.streams.push(conn);
      if (!conns.control || conns.streams.length < 2) return;
      for (const line of lines(pid)) conns.control.write(`${JSON.stringify(line)}\n`);
      for (const stream of conns.streams) stream.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    status: { pid: process.pid } as unknown as ServerReady,
    token: null,
    pid: process.pid,
    alive: true,
    ended: null,
    onExit: () => () => {},
    stop: async () => {},
    kill: () => {},
    close: () => server.close(),
  };
}

function request(dir: string): ExecRequest {
  const resultFile = path.join(dir, "outcome.json");
  writeFileSync(resultFile, JSON.stringify({ protocolVersion: PROTOCOL_VERSION, status: "passed" }));
  return {
    job: { node: "n", workDir: dir, sourceDir: dir, resultFile, outputPaths: {} } as unknown as StepJob,
    jobFile: path.join(dir, "job.json"),
    python: "python3",
    env: {},
    timeoutMs: 30_000,
    logs: { stdout: path.join(dir, "stdout.log"), stderr: path.join(dir, "stderr.log") },
    maxLogBytes: 1024 * 1024,
    signal: new AbortController().signal,
    isolation: "fork",
    preload: { imports: [], explicit: [] },
  };
}

describe("runForked", () => {
  it("takes the child's own `running` and `exit` when they come before the server's `forked`", async () => {
    // A real process group stands in for the child: what it left running is killed at its exit.
    const child = spawn("sleep", ["30"], { detached: true, stdio: "ignore" });
    const gone = new Promise((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    const server = await fakeServer(
      (pid) => [
        { event: "running", pid },
        { event: "exit", pid, code: 0, signal: null },
        { event: "forked", pid },
        { event: "exit", pid, code: 9, signal: null }, // the server's, too late: not the answer
      ],
      child.pid!,
    );
    try {
      const attempt = await runForked(server, request(tempDir()), 5_000);
      expect(attempt.kind).toBe("done");
      if (attempt.kind !== "done") return;
      expect(attempt.result).toMatchObject({ exitCode: 0, signal: null, executor: "fork", timedOut: false });
      expect(attempt.result.outcome?.status).toBe("passed");
      expect(await gone).toBe("SIGKILL");
    } finally {
      server.close();
    }
  });

  it("still says a child that ended before it was running did not start (the server's own exit)", async () => {
    const server = await fakeServer(
      (pid) => [
        { event: "forked", pid },
        { event: "exit", pid, code: null, signal: "SIGSEGV" },
      ],
      2 ** 22 + 1, // no such process
    );
    try {
      const attempt = await runForked(server, request(tempDir()), 5_000);
      expect(attempt).toMatchObject({ kind: "retry", blame: "none" });
      if (attempt.kind === "retry")
        expect(attempt.reason).toContain("ended before it started (killed by SIGSEGV)");
    } finally {
      server.close();
    }
  });
});
