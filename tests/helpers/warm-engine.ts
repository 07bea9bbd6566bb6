/**
 * Spawned by tests/integration/warm-server.test.ts as a stand-in for a dagtest process: runs a
 * one-node pipeline on a WarmExecutor whose script sleeps, prints the fork server's pid and the
 * child's pid as one JSON line, and waits to be killed (the test uses SIGKILL).
 */
import { existsSync, readFileSync } from "node:fs";
import { WarmExecutor } from "../../src/exec/warm.js";
import { runRig, script } from "./run-rig.js";

const pidFile = process.argv[2]!;
const executor = new WarmExecutor();
const body = `open(${JSON.stringify(pidFile)}, "w").write(str(os.getpid()))\ntime.sleep(600)`;
void runRig({ nodes: { sleeper: { source: script(body), outputs: ["out"] } } }, executor);
const poll = setInterval(async () => {
  const [server] = await executor.serverPids();
  const child = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8")) : 0;
  if (server && child) {
    clearInterval(poll);
    process.stdout.write(`${JSON.stringify({ server, child })}\n`);
  }
}, 50);
