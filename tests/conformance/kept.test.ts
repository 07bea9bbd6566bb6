/** The conformance suite against a warm server kept between commands (exec/kept-server.ts). */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { stopKeptServers } from "../../src/exec/kept-server.js";
import { WarmExecutor } from "../../src/exec/warm.js";
import { executorConformance } from "./executor.suite.js";

const stateDir = mkdtempSync(path.join(os.tmpdir(), "dagtest-kept-"));

executorConformance(
  "kept warm server",
  () => new WarmExecutor({ keep: { stateDir, idleMs: 120_000 } }),
  "fork",
);

afterAll(async () => {
  await stopKeptServers(stateDir);
  rmSync(stateDir, { recursive: true, force: true });
});
