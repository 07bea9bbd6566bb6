/**
 * `npm run bench -- peers`: dagtest side by side with DVC, Snakemake and Kedro, as whole commands,
 * on the same two pipelines written for each tool the way its users write them
 * (bench/peers/projects.ts: chain20, 20 nodes in a chain; wide16, 16 independent nodes; every
 * node imports pandas and scikit-learn and fits a small model), all on the same interpreter and
 * packages: the peers venv, built once by `scripts/cached-venv.sh peers bench/peers/requirements.txt`.
 *
 * Measures, interleaved round by round (ROUNDS, default 5; the tools' start order rotated each
 * round), each checked to have run exactly what it should (bench/peers/tools.ts):
 * - full-chain20 / full-wide16: from no outputs and no cache (dagtest: `cache clean`, then `run`;
 *   DVC: outputs, dvc.lock and .dvc/cache removed, then `dvc repro`; Snakemake: outputs removed,
 *   then `snakemake -j2`; Kedro (chain20 only): outputs removed, then `kedro run`, one process);
 * - unchanged: the same command again, nothing changed;
 * - edit-leaf: a comment appended to the leaf's script, then the command again (Kedro:
 *   `kedro run --nodes n19`; dagtest also as `run --cold` on its own copy).
 * dagtest is timed with the warm server kept from its previous command (where the built CLI keeps
 * one: `dagtest server` exists) and, as `dagtest-first`, as a first command (`server stop` before).
 * Ends with `<measure>-vs-<peer>: peer median ÷ dagtest median` lines (> 1: dagtest is faster).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Column, figure, formatTable, rotated, speedup } from "./_table.js";
import { LEAF, type Shape, writeDagtest, writeDvc, writeKedro, writeSnakemake } from "./peers/projects.js";
import { type Case, dagtestCase, exec, fileCase, type Measure } from "./peers/tools.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const MEASURES: readonly Measure[] = ["full-chain20", "unchanged", "edit-leaf", "full-wide16"];
const cli = [process.execPath, path.join(root, "dist/cli/main.js")];

function peersPython(): string {
  const built = spawnSync(
    "bash",
    [path.join(root, "scripts/cached-venv.sh"), "peers", "bench/peers/requirements.txt"],
    {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  if (built.status !== 0) {
    console.error(`peers: the peers venv could not be built (exit ${built.status}); nothing was timed`);
    process.exit(1);
  }
  return built.stdout.trim();
}

// The CLI as the package builds it (`npm run build`), so the commands timed are the shipped ones.
const build = spawnSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: ["ignore", 2, 2] });
if (build.status !== 0) process.exit(1);
const python = peersPython();
const venvBin = path.dirname(python);
// Every tool as its users have it: the venv active, and no analytics or update checks (no network).
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${venvBin}:${process.env.PATH ?? ""}`,
  VIRTUAL_ENV: path.dirname(venvBin),
  DVC_NO_ANALYTICS: "1",
  KEDRO_DISABLE_TELEMETRY: "1",
  DO_NOT_TRACK: "1",
  DAGTEST_KEEP_WARM: "1",
};
// Whether this build keeps a warm server between commands (`dagtest server status|stop`).
const kept = /^\s+server\b/m.test(exec([...cli, "--help"], root, env));

const pyVersion = (module: string) =>
  exec([python, "-c", `import ${module}; print(${module}.__version__)`], root, env).trim();
const versions = {
  dagtest: exec([...cli, "--version"], root, env).trim(),
  DVC: exec(["dvc", "--version"], root, env).trim(),
  Snakemake: exec(["snakemake", "--version"], root, env).trim(),
  Kedro: pyVersion("kedro"),
  Python: exec([python, "-c", "import platform; print(platform.python_version())"], root, env).trim(),
  pandas: pyVersion("pandas"),
  "scikit-learn": pyVersion("sklearn"),
};

const dirs: string[] = [];
const made = <T extends string>(dir: T): T => {
  dirs.push(dir);
  return dir;
};
const dagtestDir = (shape: Shape, variant: string) => made(writeDagtest(shape, python, variant));

function dagtestCases(): Case[] {
  const clean = (dir: string) => () => exec([...cli, "cache", "clean"], dir, env);
  const stop = (dir: string) => () => exec([...cli, "server", "stop"], dir, env);
  const both = (a: () => void, b: () => void) => () => {
    a();
    b();
  };
  const none = () => {};
  const cases: Case[] = [];
  const variants = kept ? ["dagtest", "dagtest-first"] : ["dagtest"];
  for (const tool of variants) {
    const first = tool === "dagtest-first";
    const chain = dagtestDir("chain20", first ? "-first" : "");
    const wide = dagtestDir("wide16", first ? "-first" : "");
    const before = (dir: string) => (first ? stop(dir) : none);
    cases.push(
      dagtestCase("full-chain20", tool, chain, cli, [], both(before(chain), clean(chain))),
      dagtestCase("edit-leaf", tool, chain, cli, [], before(chain)),
      dagtestCase("full-wide16", tool, wide, cli, [], both(before(wide), clean(wide))),
    );
    if (!first) cases.push(dagtestCase("unchanged", tool, chain, cli, [], none));
  }
  const cold = dagtestDir("chain20", "-cold");
  exec([...cli, "run", "--cold"], cold, env); // fills its cache: the rounds time only the edits
  cases.push(dagtestCase("edit-leaf", "cold", cold, cli, ["--cold"], none));
  return cases;
}

function peerCases(): Case[] {
  const cases: Case[] = [];
  for (const shape of ["chain20", "wide16"] as const) {
    const full: Measure = shape === "chain20" ? "full-chain20" : "full-wide16";
    const dvc = made(writeDvc(shape, env));
    const smk = made(writeSnakemake(shape));
    const repro = ["dvc", "repro", "--quiet"];
    const snake = ["snakemake", "-j2", "--quiet"];
    cases.push(fileCase(full, "dvc", dvc, repro, ["out", "dvc.lock", ".dvc/cache"], "leaf.py"));
    cases.push(fileCase(full, "snakemake", smk, snake, ["out"], "leaf.py"));
    if (shape === "wide16") continue;
    const kedro = made(writeKedro(versions.Kedro));
    const leaf = "src/peers_chain/leaf.py";
    cases.push(
      fileCase("full-chain20", "kedro", kedro, ["kedro", "run"], ["out"], leaf),
      fileCase("edit-leaf", "kedro", kedro, ["kedro", "run", "--nodes", LEAF], [], leaf),
    );
    for (const m of ["unchanged", "edit-leaf"] as const)
      cases.push(
        fileCase(m, "dvc", dvc, repro, [], "leaf.py"),
        fileCase(m, "snakemake", smk, snake, [], "leaf.py"),
      );
  }
  return cases;
}

/** Runs one case: prepare, time the command, check it ran what it should. Wall milliseconds. */
function timeCase(c: Case): number {
  c.prepare();
  const before = c.snapshot();
  const wallStart = Date.now() - 20; // file times may lag the clock by a tick
  const start = performance.now();
  const stdout = exec(c.command, c.dir, env);
  const ms = performance.now() - start;
  const problem = c.check(stdout, before, wallStart);
  if (problem) throw new Error(`${c.tool} on ${c.measure} (${c.dir}): ${problem}`);
  return ms;
}

const keptUp = { up: 0, of: 0 };
function keptServerUp(dir: string): void {
  const servers = JSON.parse(exec([...cli, "server", "status", "--json"], dir, env)) as unknown[];
  keptUp.of++;
  if (servers.length > 0) keptUp.up++;
}

function rounds(cases: readonly Case[]): Map<string, Map<string, number[]>> {
  const samples = new Map(MEASURES.map((m) => [m as string, new Map<string, number[]>()]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const measure of MEASURES) {
      for (const c of rotated(
        cases.filter((x) => x.measure === measure),
        round,
      )) {
        if (kept && c.tool === "dagtest" && measure !== "unchanged") keptServerUp(c.dir);
        const ms = timeCase(c);
        const byTool = samples.get(measure)!;
        byTool.set(c.tool, [...(byTool.get(c.tool) ?? []), ms]);
      }
    }
    console.error(`[peers] round ${round + 1}/${ROUNDS} done`);
  }
  return samples;
}

function cleanUp(): void {
  for (const dir of dirs) {
    if (kept && dir.includes("dagtest-bench-peers-dagtest"))
      spawnSync(cli[0]!, [...cli.slice(1), "server", "stop"], { cwd: dir, env });
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(samples: Map<string, Map<string, number[]>>): void {
  const columns: Column[] = [
    { key: "dagtest", label: kept ? "dagtest (kept server)" : "dagtest (no kept server in this build)" },
    ...(kept ? [{ key: "dagtest-first", label: "dagtest (first command)" }] : []),
    { key: "cold", label: "dagtest --cold" },
    { key: "dvc", label: "DVC repro" },
    { key: "snakemake", label: "Snakemake -j2" },
    { key: "kedro", label: "Kedro run (one process)" },
  ];
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? os.cpus()[0]?.model;
  const nproc = execFileSync("nproc", { encoding: "utf8" }).trim();
  console.log(`\n${new Date().toISOString()}  nproc ${nproc}  ${cpu}  ${ROUNDS} rounds`);
  console.log(
    Object.entries(versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(", "),
  );
  console.log(
    "chain20: 20 nodes in a chain; wide16: 16 independent nodes; each imports pandas and scikit-learn " +
      `and fits a small model. dagtest --jobs ${nproc} (its default), Snakemake -j2, DVC one stage at a time.`,
  );
  if (kept)
    console.log(`kept server up before ${keptUp.up} of ${keptUp.of} timed dagtest (kept server) commands`);
  console.log(`\n${formatTable(samples, columns)}\n`);
  for (const [measure, byTool] of samples)
    for (const base of kept ? ["dagtest", "dagtest-first"] : ["dagtest"])
      for (const peer of ["cold", "dvc", "snakemake", "kedro"]) {
        const p = byTool.get(peer);
        const d = byTool.get(base);
        if (!p || !d) continue;
        const name = `${measure}${base === "dagtest" ? "" : "-first"}-vs-${peer}`;
        console.log(figure(name, speedup(p, d)));
      }
}

process.on("SIGINT", () => {
  cleanUp();
  process.exit(130);
});
try {
  const cases = [...dagtestCases(), ...peerCases()];
  // One untimed run of each dagtest project: the kept variant then starts with a kept server.
  for (const dir of new Set(cases.filter((c) => c.tool === "dagtest").map((c) => c.dir)))
    exec([...cli, "run"], dir, env);
  report(rounds(cases));
} finally {
  cleanUp();
}
