/**
 * What the Ray executor's tests (tests/ray) run on the test cluster beyond the conformance suite:
 * one node expected to fail with an executor error, a node forced onto the second worker that
 * records where it ran, a Ray venv on another CPython than the cluster's, the bundled example
 * set up for Ray and run through the CLI.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "vitest";
import { parse, stringify } from "yaml";
import type { RayExecutor } from "../../src/exec/ray/executor.js";
import type { RunResult, ScriptResult } from "../../src/model/run.js";
import { cliEnv, cliPath } from "./cli.js";
import { repoRoot, tempDir, testPython } from "./paths.js";
import { type RayCluster, secondWorkerId } from "./ray-cluster.js";
import { runRig, script, writeOutput } from "./run-rig.js";

/** One trivial node (`header` above its main) on `executor`: it must fail with executor error `code`. */
export async function executorErrorOf(
  executor: RayExecutor,
  code: string,
  header = "",
): Promise<ScriptResult> {
  const run = await runRig(
    { nodes: { step: { source: script(writeOutput("out"), header), outputs: ["out"] } } },
    executor,
  );
  const r = run.result.scriptResults.step!;
  expect(r).toMatchObject({ status: "failed", reason: "executor-error", executorError: { code } });
  return r;
}

/**
 * `make` → `far`, `far` forced onto the second worker (its custom resource); `far` records where
 * it ran from (its file, input folder, cwd) and what it read. Asserts it passed there.
 */
export async function runFarNode(executor: RayExecutor, cluster: RayCluster) {
  const where = [
    "os.makedirs(output_paths['where'], exist_ok=True)",
    "rows = open(os.path.join(input_paths['table'], 'part.csv')).read()",
    "open(os.path.join(output_paths['where'], 'where.json'), 'w').write(json.dumps({'file': __file__, 'input': input_paths['table'], 'cwd': os.getcwd(), 'rows': rows}))",
  ].join("\n");
  const run = await runRig(
    {
      nodes: {
        make: { source: script(writeOutput("table")), outputs: ["table"] },
        far: {
          source: script(where),
          inputs: ["table"],
          outputs: ["where"],
          settings: { resources: { second_worker: 1 }, num_cpus: 1 },
        },
      },
      edges: [["make", "far"]],
    },
    executor,
  );
  const far = run.result.scriptResults.far!;
  expect(far).toMatchObject({ status: "passed", executor: "ray", workerNode: secondWorkerId(cluster) });
  const seen = JSON.parse(readFileSync(path.join(far.outputs.where!, "where.json"), "utf8")) as {
    file: string;
    input: string;
    cwd: string;
    rows: string;
  };
  return { run, far, seen };
}

/** Minor versions of CPython that the pinned Ray (tests/ray/requirements.txt) has wheels for. */
const RAY_PYTHONS = ["3.12", "3.11", "3.10", "3.9"];

/**
 * A Ray venv (scripts/ray-venv.sh, cached like the first) on another CPython minor version than
 * `rayPy`'s, from PATH or pyenv's versions; or why there is none on this machine.
 */
export function otherRayPython(rayPy: string): { python: string } | { skip: string } {
  const mine = execFileSync(rayPy, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], {
    encoding: "utf8",
  }).trim();
  const pyenv = path.join(process.env.PYENV_ROOT ?? path.join(os.homedir(), ".pyenv"), "versions");
  const installed = existsSync(pyenv) ? readdirSync(pyenv) : [];
  const runs = (file: string, minor: string) =>
    existsSync(file) &&
    spawnSync(file, ["-c", `import sys; assert "%d.%d" % sys.version_info[:2] == "${minor}"`]).status === 0;
  for (const minor of RAY_PYTHONS.filter((v) => v !== mine)) {
    const version = installed.find((v) => v.startsWith(`${minor}.`));
    const candidates = [
      version ? path.join(pyenv, version, "bin", `python${minor}`) : "",
      spawnSync("bash", ["-c", `command -v python${minor}`], { encoding: "utf8" }).stdout.trim(),
    ];
    const interpreter = candidates.find((file) => file && runs(file, minor));
    if (!interpreter) continue;
    const built = spawnSync("bash", [path.join(repoRoot, "scripts/ray-venv.sh")], {
      encoding: "utf8",
      env: { ...process.env, DAGTEST_BOOTSTRAP_PYTHON: interpreter },
      timeout: 840_000,
    });
    if (built.status === 0) return { python: built.stdout.trim() };
    return { skip: `Ray cannot be installed for ${interpreter}: ${built.stderr.trim().split("\n").at(-1)}` };
  }
  return { skip: `no CPython ${RAY_PYTHONS.join("/")} other than ${mine} on PATH or in ${pyenv}` };
}

/** A copy of the bundled example, planned with the test venv and driven by the Ray venv. */
export function exampleCopy(rayPythonPath: string): string {
  const dir = tempDir();
  cpSync(path.join(repoRoot, "examples/tabular"), dir, {
    recursive: true,
    filter: (f) => !f.includes(".dagtest"),
  });
  const file = path.join(dir, "dagtest.yaml");
  const spec = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  writeFileSync(file, stringify({ ...spec, python: testPython(), run: { ray: { python: rayPythonPath } } }));
  return dir;
}

export function cliRun(dir: string, ...args: string[]): RunResult {
  const out = spawnSync(process.execPath, [cliPath, "run", dir, "--json", "--jobs", "2", ...args], {
    env: cliEnv(),
    encoding: "utf8",
    timeout: 240_000,
  });
  if (!out.stdout) throw new Error(`dagtest run printed nothing: ${out.stderr}`);
  return JSON.parse(out.stdout) as RunResult;
}

/** Every file under each output folder: relative path → sha256. */
export function outputDigests(result: RunResult): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const r of Object.values(result.scriptResults)) {
    for (const [port, folder] of Object.entries(r.outputs)) {
      if (!existsSync(folder)) continue;
      for (const f of readdirSync(folder, { recursive: true, withFileTypes: true }))
        if (f.isFile()) {
          const file = path.join(f.parentPath, f.name);
          const rel = `${r.node}/${port}/${path.relative(folder, file)}`;
          digests[rel] = createHash("sha256").update(readFileSync(file)).digest("hex");
        }
    }
  }
  return digests;
}
