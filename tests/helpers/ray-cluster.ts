/**
 * A real two-node Ray cluster on this machine for the Ray executor's tests and benchmark: a head
 * and a second worker node (which alone has the custom resource `second_worker`), both bound to
 * 127.0.0.1, each with one CPU and small memory, from the cached Ray venv (scripts/ray-venv.sh).
 * Each node is a `ray start --block` process in its own process group: stopping it (SIGTERM, then
 * SIGKILL to the group) stops exactly the Ray processes this cluster started, never anyone else's
 * (`ray stop` would stop every Ray on the machine). Also stopped when the test process exits.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { repoRoot } from "./paths.js";

export interface RayCluster {
  readonly address: string;
  readonly python: string;
  /** `ray` CLI of the venv. */
  readonly rayBin: string;
  stop(): Promise<void>;
}

/** The Ray venv's python, built once (minutes) or found in the cache; null when Ray cannot be installed here. */
export function rayPython(): { python: string } | { skip: string } {
  const built = spawnSync("bash", [path.join(repoRoot, "scripts/ray-venv.sh")], { encoding: "utf8" });
  if (built.status === 0) return { python: built.stdout.trim() };
  return {
    skip: `Ray cannot be installed on this machine (scripts/ray-venv.sh: ${built.stderr.trim().split("\n").at(-1)})`,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
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
  const rayBin = path.join(path.dirname(python), "ray");
  const tempDir = mkdtempSync("/tmp/dtray-");
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const common = async () => [
    "--node-ip-address=127.0.0.1",
    "--num-cpus=1",
    `--memory=${1536 * 1024 * 1024}`,
    `--object-store-memory=${150 * 1024 * 1024}`,
    `--dashboard-agent-listen-port=${await freePort()}`,
    "--disable-usage-stats",
    "--block",
  ];
  const env = { ...process.env, RAY_USAGE_STATS_ENABLED: "0" };
  delete env.RAY_ADDRESS;
  const start = async (args: string[]) => {
    const log = openSync(path.join(logDir, `node${nodes.length}.log`), "w");
    const child = spawn(rayBin, ["start", ...args, ...(await common())], {
      env,
      detached: true,
      stdio: ["ignore", log, log],
    });
    live.add(child);
    return child;
  };
  const logDir = mkdtempSync("/tmp/dtray-logs-");
  const nodes: ChildProcess[] = [];
  nodes.push(
    await start([
      "--head",
      `--port=${port}`,
      "--dashboard-host=127.0.0.1",
      "--include-dashboard=false",
      `--temp-dir=${tempDir}`,
    ]),
  );
  const stop = async () => {
    for (const child of nodes.reverse()) {
      const gone = new Promise<void>((resolve) =>
        child.exitCode !== null || child.signalCode !== null
          ? resolve()
          : child.once("exit", () => resolve()),
      );
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 15_000);
      await gone;
      clearTimeout(timer);
      killGroup(child, "SIGKILL");
      live.delete(child);
    }
    rmSync(tempDir, { recursive: true, force: true });
    rmSync(logDir, { recursive: true, force: true });
  };
  try {
    await waitFor(python, address, 1);
    nodes.push(await start([`--address=${address}`, '--resources={"second_worker": 100}']));
    await waitFor(python, address, 2);
  } catch (error) {
    const logs = readdirSync(logDir).map((f) => readFileSync(path.join(logDir, f), "utf8").slice(-2000));
    await stop();
    throw new Error(`${(error as Error).message}\n${logs.join("\n")}`);
  }
  return { address, python, rayBin, stop };
}

/** Until the cluster at `address` has `count` alive nodes (a minute at most). */
async function waitFor(python: string, address: string, count: number): Promise<void> {
  const probe = `import ray, sys\nray.init(address="${address}", logging_level="ERROR", log_to_driver=False)\nsys.exit(0 if sum(1 for n in ray.nodes() if n["Alive"]) >= ${count} else 1)`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1500));
    try {
      execFileSync(python, ["-c", probe], { stdio: "ignore", timeout: 30_000 });
      return;
    } catch {}
  }
  throw new Error(`the test Ray cluster at ${address} did not get ${count} node(s) within 90 s`);
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
    let processes: string[] = [];
    try {
      processes = execFileSync("pgrep", ["-f", "dagtest-ray-"], { encoding: "utf8" })
        .trim()
        .split("\n")
        .filter(Boolean);
    } catch {}
    if ((busyCpus === 0 && processes.length === 0) || Date.now() > deadline) return { busyCpus, processes };
    await new Promise((r) => setTimeout(r, 1000));
  }
}
