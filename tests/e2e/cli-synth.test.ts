/**
 * Synthesized phantom data and sampling, through the built CLI as a user runs them: the bundled
 * example with its hand-made data replaced by synthesis, `dagtest init --synthesize`, and
 * `--sample 50` on a million-row CSV.
 */

import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../src/model/plan.js";
import type { RunResult } from "../../src/model/run.js";
import { buildCli, cliPath, runCli } from "../helpers/cli.js";
import { exampleCopy, exampleFileFlags } from "../helpers/factory.js";
import { removeTempDirs, repoRoot, tempDir, testPython, writeTree } from "../helpers/paths.js";
import { inTerminal } from "../helpers/terminal.js";

beforeAll(buildCli, 120_000);
afterAll(removeTempDirs);

const dagtest = (args: readonly string[], cwd: string) => runCli(args, cwd, 240_000);

function parsed<T>(result: SpawnSyncReturns<string>): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON:\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
  }
}

/** The example without its hand-made data: its phantoms' outputs synthesized instead. */
function exampleWithSynthesis(): string {
  const dir = tempDir();
  cpSync(path.join(repoRoot, "examples/tabular"), dir, {
    recursive: true,
    filter: (src) => !src.includes(".dagtest") && !src.includes(`${path.sep}data`),
  });
  const spec = readFileSync(path.join(dir, "dagtest.yaml"), "utf8");
  const nodes = [
    "nodes:",
    "  CradleDataLoading_training:",
    "    outputs: {DATA: {synthesize: {rows: 400}}, SIGNATURE: {synthesize: {rows: 400}}}",
    "  CradleDataLoading_calibration:",
    "    outputs: {DATA: {synthesize: {rows: 200, seed: 2}}, SIGNATURE: {synthesize: {rows: 200, seed: 2}}}",
    "",
  ].join("\n");
  writeFileSync(path.join(dir, "dagtest.yaml"), `${spec.slice(0, spec.indexOf("nodes:"))}${nodes}`);
  return dir;
}

describe("the bundled example with its hand-made data replaced by synthesis", () => {
  let dir: string;
  let plan: Plan;
  let first: SpawnSyncReturns<string>;
  beforeAll(() => {
    dir = exampleWithSynthesis();
    plan = parsed<Plan>(dagtest(["plan", ".", "--json"], dir));
    first = dagtest(["run", ".", "--json"], dir);
  }, 240_000);

  it("plans with no open question, saying which data is synthetic and where each column came from", () => {
    expect(plan.summary).toMatchObject({ ready: true, questions: 0, errors: 0 });
    const phantom = plan.nodes.find((n) => n.name === "CradleDataLoading_training");
    expect(phantom?.kind).toBe("phantom");
    if (phantom?.kind !== "phantom") return;
    // METADATA is not in dagtest.yaml: a synthesized dataset brings its own signature and metadata.
    expect(phantom.synthetic?.ports).toEqual(["DATA", "METADATA", "SIGNATURE"]);
    const columns = phantom.synthetic!.recipe.columns;
    expect(columns.map((c) => [c.name, c.kind])).toEqual([
      ["order_id", "id"],
      ["amount", "numeric"],
      ["num_items", "numeric"],
      ["account_age_days", "numeric"],
      ["payment_method", "categorical"],
      ["country", "categorical"],
      ["is_fraud", "label"],
    ]);
    expect(columns.find((c) => c.name === "payment_method")!.kindSource).toMatch(
      /CAT_FIELD_LIST of RiskTableMapping/,
    );
    expect(phantom.synthetic!.recipe).toMatchObject({ format: "csv", header: false, rows: 400 });
  });

  it("passes every script, and the model scores well above chance on the synthetic calibration data", () => {
    const result = parsed<RunResult>(first);
    expect(result.summary).toMatchObject({ passed: 8, failed: 0 });
    const metrics = JSON.parse(
      readFileSync(
        path.join(
          dir,
          ".dagtest/runs",
          result.runId,
          "ModelEval_calibration/out/metrics_output/metrics.json",
        ),
        "utf8",
      ),
    ) as { auc_roc: number };
    expect(metrics.auc_roc).toBeGreaterThan(0.65);
  });

  it("reuses the data of an unchanged recipe (same bytes), and writes it again when the recipe changes", () => {
    const data = path.join(dir, ".dagtest/synth/CradleDataLoading_training");
    const before = statSync(path.join(data, "recipe.json")).mtimeMs;
    const bytes = readFileSync(path.join(data, "DATA/part-00000.csv"));
    expect(dagtest(["run", "."], dir).status).toBe(0);
    expect(statSync(path.join(data, "recipe.json")).mtimeMs).toBe(before);
    rmSync(path.join(dir, ".dagtest/synth"), { recursive: true });
    expect(dagtest(["run", "."], dir).status).toBe(0);
    expect(readFileSync(path.join(data, "DATA/part-00000.csv"))).toEqual(bytes);
    const spec = readFileSync(path.join(dir, "dagtest.yaml"), "utf8");
    writeFileSync(path.join(dir, "dagtest.yaml"), spec.replaceAll("rows: 400", "rows: 300"));
    const rerun = parsed<RunResult>(dagtest(["run", ".", "--json"], dir));
    expect(rerun.summary.passed).toBeGreaterThan(0);
    expect(readFileSync(path.join(data, "DATA/part-00000.csv"))).not.toEqual(bytes);
  }, 240_000);
});

/** `dagtest init --yes --synthesize ROWS` on a fresh copy of the example without its data. */
function initSynthesize(rows: string): { dir: string; init: SpawnSyncReturns<string> } {
  const dir = exampleWithSynthesis();
  rmSync(path.join(dir, "dagtest.yaml"));
  const flags = [...exampleFileFlags, "--path", "dockers/tabular_example=src", "--python", testPython()];
  return { dir, init: dagtest(["init", ".", "--yes", "--synthesize", rows, ...flags], dir) };
}

describe("dagtest init --synthesize", () => {
  it("answers every phantom output with synthesis, and the spec is ready", () => {
    const { dir, init } = initSynthesize("300");
    expect(init.status, init.stderr).toBe(0);
    const spec = readFileSync(path.join(dir, "dagtest.yaml"), "utf8");
    for (const job of ["training", "calibration"])
      for (const port of ["DATA", "SIGNATURE", "METADATA"])
        expect(spec).toMatch(
          new RegExp(
            `CradleDataLoading_${job}:\\n    outputs:\\n(      \\w+: .*\\n)*      ${port}: \\{synthesize: \\{rows: 300, seed: 1\\}\\}`,
          ),
        );
    expect(dagtest(["status", "."], dir).status).toBe(0);
  });

  it("rejects a row count that is not one, with the field and the fix", () => {
    const { init } = initSynthesize("3");
    expect(init.status).toBe(2);
    expect(init.stderr).toMatch(/DAGTEST_INVALID_CONFIGURATION/);
    expect(init.stderr).toMatch(/outputs\.DATA: synthesize: rows/);
    expect(init.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("dagtest run --sample 50 on a 1,000,000-row CSV", () => {
  let dir: string;
  let result: RunResult;
  let hashBefore: string;
  const big = () => path.join(dir, "data/big.csv");
  const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
  beforeAll(() => {
    dir = tempDir();
    const rows: string[] = ["id,x,label"];
    for (let i = 0; i < 1_000_000; i++) rows.push(`${i},${(i * 7919) % 1000},${i % 10 === 0 ? 1 : 0}`);
    writeTree(dir, {
      "data/big.csv": `${rows.join("\n")}\n`,
      "count.py": [
        "import glob, json, os",
        "def main(input_paths, output_paths, environ_vars, job_args):",
        "    import pandas as pd",
        "    df = pd.concat(pd.read_csv(f) for f in glob.glob(os.path.join(input_paths['raw'], '*.csv')))",
        "    os.makedirs(output_paths['counts'], exist_ok=True)",
        "    counts = {'rows': len(df), 'positives': int(df['label'].sum()), 'ids': int(df['id'].nunique())}",
        "    open(os.path.join(output_paths['counts'], 'counts.json'), 'w').write(json.dumps(counts))",
        "",
      ].join("\n"),
      "dagtest.yaml": [
        "version: 1",
        `python: ${testPython()}`,
        "pipeline:",
        "  nodes:",
        "    count: {script: count.py, inputs: [raw], outputs: [counts], env: {LABEL_FIELD: label}}",
        "nodes:",
        "  count: {inputs: {raw: data}}",
        "",
      ].join("\n"),
    });
    hashBefore = sha(big());
    result = parsed<RunResult>(dagtest(["run", ".", "--sample", "50", "--json"], dir));
  }, 240_000);

  it("gives the script 50 rows, stratified by the label, and leaves the input byte-identical", () => {
    expect(result.summary).toMatchObject({ passed: 1, failed: 0 });
    const counts = JSON.parse(
      readFileSync(path.join(dir, ".dagtest/runs", result.runId, "count/out/counts/counts.json"), "utf8"),
    ) as { rows: number; positives: number; ids: number };
    expect(counts.rows).toBe(50);
    expect(counts.ids).toBe(50);
    // 10% positives: 5 of 50, raised to the minimum a stratified split needs.
    expect(counts.positives).toBe(6);
    expect(sha(big())).toBe(hashBefore);
  });

  it("records the sampling in the run (plan.sampling) and in the node's fingerprint", () => {
    const record = JSON.parse(
      readFileSync(path.join(dir, ".dagtest/runs", result.runId, "run.json"), "utf8"),
    ) as { plan: Plan };
    expect(record.plan.sampling).toMatchObject({ rows: 50, seed: 1 });
    expect(record.plan.sampling!.datasets[0]).toMatchObject({
      source: path.join(dir, "data"),
      stratifiedBy: "label",
    });
    expect(record.plan.sampling!.datasets[0]!.files[0]![1]).toBe(50);
    const unsampled = parsed<RunResult>(dagtest(["run", ".", "--json"], dir));
    expect(unsampled.scriptResults.count?.status).toBe("passed");
    const again = parsed<RunResult>(dagtest(["run", ".", "--sample", "50", "--json"], dir));
    expect(again.scriptResults.count?.status).toBe("cached");
    expect(readdirSync(path.join(dir, ".dagtest/samples"))).toHaveLength(1);
  }, 240_000);
});

describe("dagtest run --sample on the example's headerless Cradle shards", () => {
  it("passes every script on 60 rows per dataset, and leaves the example's data as it was", () => {
    const dir = tempDir();
    cpSync(path.join(repoRoot, "examples/tabular"), dir, {
      recursive: true,
      filter: (src) => !src.includes(".dagtest"),
    });
    const before = hashOf(path.join(dir, "data"));
    const result = parsed<RunResult>(
      dagtest(["run", ".", "--sample", "60", "--json", "--python", testPython()], dir),
    );
    expect(result.summary).toMatchObject({ passed: 8, failed: 0 });
    const flow = result.dataFlowResults.find(
      (d) => d.from.node === "CradleDataLoading_training" && d.from.port === "DATA",
    );
    expect(flow?.rows).toBe(60);
    expect(hashOf(path.join(dir, "data"))).toBe(before);
  }, 240_000);
});

function hashOf(dir: string): string {
  return spawnSync("sh", ["-c", `find . -type f | sort | xargs sha256sum`], { cwd: dir, encoding: "utf8" })
    .stdout;
}

describe("synthesis where the phantom's config names no columns (the cursus-traps fixture)", () => {
  it("takes them from the hyperparameters and the config (id first, label last), and every script passes", () => {
    const dir = tempDir();
    cpSync(path.join(repoRoot, "tests/fixtures/pipelines/cursus-traps"), dir, {
      recursive: true,
      filter: (src) => !src.includes(".dagtest") && !src.includes(`${path.sep}data`),
    });
    const spec = readFileSync(path.join(dir, "dagtest.yaml"), "utf8")
      .replace("DATA: data/training/data", "DATA: {synthesize: {rows: 300}}")
      .replace("SIGNATURE: data/training/signature", "SIGNATURE: {synthesize: {rows: 300}}");
    writeFileSync(path.join(dir, "dagtest.yaml"), spec);
    const result = parsed<RunResult>(dagtest(["run", ".", "--json", "--python", testPython()], dir));
    expect(result.summary).toMatchObject({ passed: 4, failed: 0 });
    const signature = readFileSync(
      path.join(dir, ".dagtest/synth/CradleDataLoading_training/SIGNATURE/signature"),
      "utf8",
    );
    expect(signature).toBe("order_id,amount,num_items,account_age_days,is_fraud\n");
  }, 240_000);
});

describe("the init wizard's default answer for a phantom's data", () => {
  it("is synthesis (Enter); a typed path is the user's own data; - skips an optional output", () => {
    const dir = exampleCopy();
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", DAGTEST_PYTHON: testPython() };
    delete env.FORCE_COLOR;
    delete env.CI; // clack draws differently on CI; a person at a terminal is not on CI
    const ask = (port: string) => `data of CradleDataLoading_${port.replace(".", "\\.")}\\?`;
    const result = inTerminal(
      [process.execPath, cliPath, "init", ...exampleFileFlags, "--path", "dockers/tabular_example=src"],
      {
        cwd: dir,
        env,
        steps: [
          { expect: ask("training.DATA"), send: "\r" },
          { expect: ask("training.SIGNATURE"), send: "\r" },
          { expect: ask("calibration.DATA"), send: "data/calibration/data\r" },
          { expect: ask("calibration.SIGNATURE"), send: "-\r" },
          { expect: "Write dagtest\\.yaml\\?", send: "\r" },
        ],
      },
    );
    expect(result.exitCode, result.transcript).toBe(0);
    expect(result.transcript).toMatch(/Enter: synthesize it from the config/);
    const spec = readFileSync(path.join(dir, "dagtest.yaml"), "utf8");
    expect(spec).toMatch(
      /CradleDataLoading_training:\n {4}outputs:\n {6}DATA: \{synthesize: \{rows: 500, seed: 1\}\}\n {6}SIGNATURE: \{synthesize: \{rows: 500, seed: 1\}\}/,
    );
    expect(spec).toMatch(/CradleDataLoading_calibration:\n {4}outputs:\n {6}DATA: data\/calibration\/data\n/);
    expect(spec).not.toMatch(/CradleDataLoading_calibration:\n {4}outputs:\n.*\n {6}SIGNATURE/);
  }, 120_000);
});
