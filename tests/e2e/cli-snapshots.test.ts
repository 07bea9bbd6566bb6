/**
 * Snapshot tests of what each script produces, through the built CLI on copies of the bundled
 * example: `--update-snapshots`, an unchanged rerun (from the cache, and afresh in CI mode), a
 * changed hyperparameter failing exactly the nodes whose outputs moved, `--ci` without a snapshot,
 * identical snapshots from two runs with the same `run.seed`, `snapshots prune`; and the
 * framework-aware model check on the example's training output and on a truncated model.
 */
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunResult, ScriptResult } from "../../src/model/run.js";
import type { SnapshotFile } from "../../src/model/snapshot.js";
import { buildCli, cliEnv, cliPath } from "../helpers/cli.js";
import { fixture, removeTempDirs, repoRoot, tempDir } from "../helpers/paths.js";

beforeAll(buildCli, 120_000);
afterAll(removeTempDirs);

function dagtest(args: readonly string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [cliPath, ...args], {
    cwd: repoRoot,
    // CI unset unless a test sets it: the machine running the tests may be a CI runner.
    env: cliEnv({ CI: "", ...env }),
    encoding: "utf8",
    timeout: 240_000,
  });
}

function json(r: SpawnSyncReturns<string>): RunResult {
  try {
    return JSON.parse(r.stdout) as RunResult;
  } catch {
    throw new Error(`no JSON on stdout (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** A copy of a folder without its run state (or with it, to reuse the cache). */
function copy(from: string, keepState = false): string {
  const dir = tempDir();
  cpSync(from, dir, {
    recursive: true,
    filter: (src) => (keepState || !src.includes(`${path.sep}.dagtest`)) && !src.includes("__pycache__"),
  });
  return dir;
}

function scripts(result: RunResult): ScriptResult[] {
  return Object.values(result.scriptResults).filter((r) => r.reason !== "phantom");
}

const snapFile = (dir: string) => path.join(dir, "dagtest.snap.json");

describe("dagtest run --update-snapshots on examples/tabular", () => {
  const seeded = copy(path.join(repoRoot, "examples/tabular"));
  appendFileSync(path.join(seeded, "dagtest.yaml"), "run:\n  seed: 7\n");
  let recorded: SpawnSyncReturns<string>;
  let cachedRerun: RunResult;
  let ciRerun: SpawnSyncReturns<string>;

  beforeAll(() => {
    recorded = dagtest(["run", seeded, "--update-snapshots", "--json"]);
    cachedRerun = json(dagtest(["run", seeded, "--json"]));
    ciRerun = dagtest(["run", seeded, "--ci", "--no-cache", "--json"]);
  }, 600_000);

  it("records every script node's outputs in dagtest.snap.json, sorted, with table summaries", () => {
    expect(recorded.status, recorded.stderr).toBe(0);
    expect(recorded.stderr).toMatch(/recorded the snapshots of 8 node\(s\) in dagtest\.snap\.json/);
    const text = readFileSync(snapFile(seeded), "utf8");
    const snap = JSON.parse(text) as SnapshotFile;
    const nodes = scripts(json(recorded)).map((r) => r.node);
    expect(Object.keys(snap.nodes)).toEqual([...nodes].sort());
    // Plain and diff-friendly: two-space indentation, keys sorted, a newline at the end.
    expect(text).toBe(`${JSON.stringify(snap, null, 2)}\n`);
    const train = snap.nodes.SklearnTraining!;
    expect(Object.keys(train)).toEqual(["evaluation_output", "model_output"]);
    const predictions = train.evaluation_output!["test/predictions.csv"]!;
    expect(predictions).toMatchObject({ kind: "table", format: "csv" });
    if (predictions.kind !== "table") throw new Error("not a table");
    expect(predictions.columns.prob_class_1).toMatchObject({ type: "number", nulls: 0 });
    expect(train.evaluation_output!["metrics.json"]).toMatchObject({ kind: "json" });
    expect(train.model_output!["model.pkl"]).toMatchObject({ kind: "file" });
    // A tar.gz is snapshotted by its members: tar and gzip record times, the members do not.
    expect(snap.nodes.Package!.packaged_model!["model.tar.gz"]).toMatchObject({ kind: "archive" });
    const preprocessed = snap.nodes.TabularPreprocessing_training!.processed_data!;
    const train_csv = Object.values(preprocessed).find((f) => f.kind === "table");
    if (train_csv?.kind !== "table") throw new Error("no table");
    expect(train_csv.columns.payment_method).toMatchObject({ type: "string", nulls: 0 });
  });

  it("an unchanged rerun passes from the cache: every node cached and matching its snapshot", () => {
    expect(cachedRerun.pipelineSuccess).toBe(true);
    for (const r of scripts(cachedRerun)) {
      expect(r.status, r.node).toBe("cached");
      expect(r.snapshot, r.node).toEqual({ status: "matched", diffs: [] });
    }
  });

  it("an unchanged rerun run afresh in CI mode passes too, and writes nothing", () => {
    expect(ciRerun.status, ciRerun.stderr).toBe(0);
    for (const r of scripts(json(ciRerun)))
      expect([r.node, r.status, r.snapshot?.status]).toEqual([r.node, "passed", "matched"]);
    expect(ciRerun.stderr).not.toContain("recorded the snapshots");
  });

  it("two runs with the same run.seed produce identical snapshots for every node", () => {
    const other = copy(path.join(repoRoot, "examples/tabular"));
    appendFileSync(path.join(other, "dagtest.yaml"), "run:\n  seed: 7\n");
    const again = dagtest(["run", other, "--update-snapshots", "--no-cache"]);
    expect(again.status, again.stderr).toBe(0);
    expect(readFileSync(snapFile(other), "utf8")).toBe(readFileSync(snapFile(seeded), "utf8"));
  });

  it("the training output loads and predicts in a fresh process (frameworkInfo)", () => {
    const train = json(recorded).scriptResults.SklearnTraining!;
    expect(train.frameworkInfo?.detected).toContain("scikit-learn");
    expect(train.frameworkInfo?.models).toEqual([
      expect.objectContaining({ loader: "pickle", ok: true, predicted: true, error: null }),
    ]);
    expect(train.frameworkInfo?.checks).toEqual([
      "load model_output/model.pkl (pickle) in a fresh process",
      "predict with model_output/model.pkl",
    ]);
    expect(train.frameworkInfo?.consistency.consistent).toBe(true);
  });

  describe("a changed hyperparameter in a copy of the training script", () => {
    let changed: SpawnSyncReturns<string>;
    let result: RunResult;
    let junit: string;
    beforeAll(() => {
      const dir = copy(seeded, true);
      const file = path.join(dir, "src/sklearn_training.py");
      const text = readFileSync(file, "utf8");
      const edited = text.replace(
        `"learning_rate": float(environ_vars.get("LEARNING_RATE", "0.1")),`,
        `"learning_rate": 0.3,`,
      );
      expect(edited).not.toBe(text);
      writeFileSync(file, edited);
      changed = dagtest(["run", dir, "--json", "--junit", path.join(dir, "junit.xml")]);
      result = json(changed);
      junit = readFileSync(path.join(dir, "junit.xml"), "utf8");
    }, 300_000);

    it("fails exactly the nodes whose outputs moved, with snapshot-mismatch; the rest match", () => {
      expect(changed.status).toBe(1);
      const failed = scripts(result).filter((r) => r.status === "failed");
      expect(failed.map((r) => r.node).sort()).toEqual(
        ["ModelCalibration_calibration", "ModelEval_calibration", "Package", "SklearnTraining"].sort(),
      );
      for (const r of failed) expect(r.reason, r.node).toBe("snapshot-mismatch");
      // (The copy is another folder, so the cache, keyed by absolute paths, does not apply.)
      for (const r of scripts(result).filter((x) => x.status !== "failed")) {
        expect(r.status, r.node).toBe("passed");
        expect(r.snapshot?.status, r.node).toBe("matched");
      }
    });

    it("names the file, the column and the statistic, expected vs got, and the tolerance", () => {
      const diffs = result.scriptResults.SklearnTraining!.snapshot!.diffs;
      const auc = diffs.find((d) => d.path === "evaluation_output/metrics.json#/test/auc_roc");
      expect(auc).toMatchObject({ what: "value", expected: expect.any(Number), got: expect.any(Number) });
      expect(auc!.tolerance).toBeCloseTo(1e-6 * (auc!.expected as number), 12);
      const mean = diffs.find((d) => d.path === "evaluation_output/test/predictions.csv#prob_class_1.mean");
      expect(mean).toMatchObject({ what: "mean" });
      // The console names them in the summary, and JUnit carries them in the failure.
      expect(changed.stderr).toContain("SklearnTraining failed (snapshot-mismatch)");
      expect(changed.stderr).toMatch(
        /evaluation_output\/test\/predictions\.csv#prob_class_1\.mean {2}mean: expected [\d.]+, got [\d.]+ \(tolerance ±[\d.e-]+\)/,
      );
      expect(junit).toContain('type="snapshot-mismatch"');
      expect(junit).toContain("evaluation_output/metrics.json#/test/auc_roc  value: expected");
    });
  });

  it("--ci without a snapshot fails every node clearly and writes nothing; CI=true alone leaves such a project alone", () => {
    // In the same folder, so that the nodes come from the cache: moved aside, then put back.
    const aside = `${snapFile(seeded)}.aside`;
    renameSync(snapFile(seeded), aside);
    try {
      const r = dagtest(["run", seeded, "--ci", "--json"]);
      expect(r.status).toBe(1);
      for (const node of scripts(json(r))) {
        expect([node.node, node.status, node.reason]).toEqual([node.node, "failed", "snapshot-missing"]);
        expect(node.message).toContain(
          "run `dagtest run --update-snapshots` locally and commit dagtest.snap.json",
        );
      }
      expect(existsSync(snapFile(seeded))).toBe(false);
      const ciEnv = dagtest(["run", seeded, "--json"], { CI: "true" });
      expect(ciEnv.status, ciEnv.stderr).toBe(0);
      expect(existsSync(snapFile(seeded))).toBe(false);
      const both = dagtest(["run", seeded, "--ci", "--update-snapshots"]);
      expect(both.status).toBe(2);
      expect(both.stderr).toContain("DAGTEST_USAGE");
    } finally {
      renameSync(aside, snapFile(seeded));
    }
  });

  it("dagtest snapshots prune removes the snapshots of nodes the pipeline no longer has", () => {
    const dir = copy(seeded);
    const snap = JSON.parse(readFileSync(snapFile(dir), "utf8")) as SnapshotFile;
    writeFileSync(snapFile(dir), JSON.stringify({ ...snap, nodes: { ...snap.nodes, OldStep: {} } }));
    const r = dagtest(["snapshots", "prune", dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("removed the snapshots of 1 node(s) no longer in the pipeline");
    expect(r.stdout).toContain("OldStep");
    expect(readFileSync(snapFile(dir), "utf8")).toBe(readFileSync(snapFile(seeded), "utf8"));
  });
});

describe("run.seed", () => {
  it("seeds random and numpy before main: same seed, same snapshot; another seed, another", () => {
    const runs = [1234, 1234, 99].map((seed) => {
      const dir = copy(fixture("seeded"));
      const spec = path.join(dir, "dagtest.yaml");
      writeFileSync(spec, readFileSync(spec, "utf8").replace("seed: 1234", `seed: ${seed}`));
      const r = dagtest(["run", dir, "--update-snapshots", "--no-cache"]);
      expect(r.status, r.stderr).toBe(0);
      return readFileSync(snapFile(dir), "utf8");
    });
    expect(runs[1]).toBe(runs[0]);
    expect(runs[2]).not.toBe(runs[0]);
    expect(runs[0]).toContain('"seed": "1234"');
  });
});

describe("model-unloadable", () => {
  it("a truncated model file fails its node with the loader's error; the whole one loads and predicts", () => {
    const dir = copy(fixture("model-faults"));
    const r = dagtest(["run", dir, "--json"]);
    expect(r.status).toBe(1);
    const train = json(r).scriptResults.train!;
    expect([train.status, train.reason]).toEqual(["failed", "model-unloadable"]);
    expect(train.message).toMatch(/^broken\/model\.pkl does not load back with pickle: UnpicklingError/);
    const models = train.frameworkInfo!.models;
    expect(models.find((m) => m.file.endsWith("model/model.pkl"))).toMatchObject({
      ok: true,
      predicted: true,
    });
    expect(models.find((m) => m.file.endsWith("broken/model.pkl"))).toMatchObject({ ok: false });
    expect(r.stderr).toContain("train failed (model-unloadable)");
  });

  const inspectLog = (r: SpawnSyncReturns<string>) =>
    path.join(json(r).runDir, "train", "logs", "inspect-stderr.log");

  it("loads in a child of the node's warm server, with the same verdict as a fresh interpreter (--cold)", () => {
    const warm = dagtest(["run", copy(fixture("model-faults")), "--json"]);
    const cold = dagtest(["run", copy(fixture("model-faults")), "--json", "--cold"]);
    const verdict = (r: SpawnSyncReturns<string>) => {
      const train = json(r).scriptResults.train!;
      const models = train.frameworkInfo!.models.map(({ file, ...m }) => ({
        ...m,
        file: path.basename(path.dirname(file)),
      }));
      return { status: train.status, reason: train.reason, message: train.message, models };
    };
    expect(verdict(warm)).toEqual(verdict(cold));
    // Forked: the request and what the child said are kept beside the node's logs.
    expect(readFileSync(inspectLog(warm), "utf8")).toContain("dagtest-inspect: loading ");
    expect(existsSync(inspectLog(cold))).toBe(false);
  });

  it("a model whose loading kills the forked child is named, as in a fresh interpreter", () => {
    const dir = copy(fixture("model-faults"));
    // A pickle that aborts the process that loads it, as a native loader does on a corrupt file.
    writeFileSync(
      path.join(dir, "steps", "train.py"),
      [
        "import os, pickle",
        "import pandas as pd",
        "from sklearn.linear_model import LogisticRegression",
        "class Abort:",
        "    def __reduce__(self):",
        "        return (os.abort, ())",
        "def main(input_paths, output_paths, environ_vars, job_args):",
        '    for port in ("model", "broken"):',
        "        os.makedirs(output_paths[port], exist_ok=True)",
        '    with open(os.path.join(output_paths["model"], "model.pkl"), "wb") as fh:',
        "        pickle.dump(LogisticRegression(), fh)",
        '    with open(os.path.join(output_paths["broken"], "model.pkl"), "wb") as fh:',
        "        pickle.dump(Abort(), fh)",
        "",
      ].join("\n"),
    );
    const r = dagtest(["run", dir, "--json"]);
    expect(r.status).toBe(1);
    const train = json(r).scriptResults.train!;
    expect([train.status, train.reason]).toEqual(["failed", "model-unloadable"]);
    expect(train.message).toMatch(/^loading broken\/model\.pkl failed: the interpreter crashed \(SIGABRT\)/);
    expect(readFileSync(inspectLog(r), "utf8")).toContain("broken/model.pkl");
  });
});
