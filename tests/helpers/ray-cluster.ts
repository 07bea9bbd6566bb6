/**
 * A real two-node Ray cluster on this machine for the Ray executor's tests and benchmark: a head
 * and a second worker node (which alone has the custom resource `second_worker`), every Ray server
 * bound to and advertised on 127.0.0.1, one CPU and small memory each, from the cached Ray venv
 * (scripts/ray-venv.sh). Started by tests/helpers/ray_test_cluster.py (why not `ray start`: see
 * there) in its own process group; stopping it (stdin EOF, then SIGTERM, then SIGKILL to the
 * group) stops exactly the Ray processes this cluster started, never anyone else's (`ray stop`
 * would stop every Ray on the machine). Also killed when the test process exits.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { repoRoot } from "./paths.js";

export interface RayCluster {
  readonly address: string;
  readonly python: string;
  stop(): Promise<void>;
}

/** Keep Ray on 127.0.0.1 in this process's children too (dagtest's driver): see ray_test_cluster.py. */
process.env.RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER = "0";

/** The Ray venv's python, built once (minutes) or found in the cache; a reason when Ray cannot be installed here. */
export function rayPython(): { python: string } | { skip: string } {
  const built = spawnSync("bash", [path.join(repoRoot, "scripts/ray-venv.sh")], { encoding: "utf8" });
  if (built.status === 0) return { python: built.stdout.trim() };
  return {
    skip: `Ray cannot be installed on this machine (scripts/ray-venv.sh: ${built.stderr.trim().split("\n").at(-1)})`,
  };
}

const live = new Set<ChildProcess>();
let hooked = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {}
}

export async function startRayCluster(python: string): Promise<RayCluster> {
  if (!hooked) {
    hooked = true;
    process.once("exit", () => {
      for (const child of live) killGroup(child, "SIGKILL");
    });
  }
  const tempDir = mkdtempSync("/tmp/dtray-");
  const env = { ...process.env };
  delete env.RAY_ADDRESS;
  const child = spawn(python, [path.join(repoRoot, "tests/helpers/ray_test_cluster.py"), tempDir], {
    env,
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  live.add(child);
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    child.stdin.end();
    const term = setTimeout(() => killGroup(child, "SIGTERM"), 20_000);
    const kill = setTimeout(() => killGroup(child, "SIGKILL"), 40_000);
    await exited;
    clearTimeout(term);
    clearTimeout(kill);
    killGroup(child, "SIGKILL");
    live.delete(child);
    rmSync(tempDir, { recursive: true, force: true });
  };
  const line = await Promise.race([
    new Promise<string>((resolve) => createInterface({ input: child.stdout }).once("line", resolve)),
    exited.then(() => ""),
    new Promise<string>((resolve) => setTimeout(() => resolve(""), 180_000)),
  ]);
  if (!line) {
    await stop();
    throw new Error(`the test Ray cluster did not come up:\n${stderr}`);
  }
  return { address: (JSON.parse(line) as { address: string }).address, python, stop };
}

/** Ask the cluster something with a short Python snippet that prints JSON (`ray` is imported, connected). */
export function askCluster<T>(cluster: RayCluster, body: string): T {
  const code = `import json, ray\nray.init(address="${cluster.address}", logging_level="ERROR", log_to_driver=False)\n${body}`;
  const env = { ...process.env };
  delete env.RAY_ADDRESS;
  return JSON.parse(execFileSync(cluster.python, ["-c", code], { encoding: "utf8", env, timeout: 60_000 }));
}

/** The node id of the second worker (the only one with the `second_worker` resource). */
export function secondWorkerId(cluster: RayCluster): string {
  return askCluster<string>(
    cluster,
    'print(json.dumps([n["NodeID"] for n in ray.nodes() if n["Alive"] and "second_worker" in n["Resources"]][0]))',
  );
}

/**
 * Nothing of ours left running on the cluster: every CPU is free again (no task holds one) and
 * no process works in a node folder of the Ray executor (`dagtest-ray-*` on a worker). `ray list
 * tasks` would say the same but needs the dashboard, which this small test cluster leaves out.
 */
export async function clusterIdle(
  cluster: RayCluster,
  waitMs = 15_000,
): Promise<{ busyCpus: number; processes: string[] }> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const busyCpus = askCluster<number>(
      cluster,
      'print(json.dumps(ray.cluster_resources().get("CPU", 0) - ray.available_resources().get("CPU", 0)))',
    );
    const processes = rayRunners();
    if ((busyCpus === 0 && processes.length === 0) || Date.now() > deadline) return { busyCpus, processes };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The Ray executor's runners at work on this machine's workers (in their `dagtest-ray-*` folders). */
export function rayRunners(): string[] {
  try {
    return execFileSync("pgrep", ["-f", "dagtest-ray-"], { encoding: "utf8" })
      .trim()
      .split("\n")
      .filter(Boolean);
  } catch {
    return [];
  }
}
