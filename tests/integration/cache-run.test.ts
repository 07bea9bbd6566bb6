/**
 * The cache through the real engine (planning with Python's static check, the cold executor, real
 * scripts): what reruns after each kind of edit, damage and interruption, and partial runs.
 * Tests in a describe block share one project and run in order, each editing it further.
 */
import {
  appendFileSync,
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { fingerprintPlan } from "../../src/cache/fingerprint.js";
import { LocalCache } from "../../src/cache/store.js";
import { DagtestError } from "../../src/errors.js";
import { ColdExecutor } from "../../src/exec/cold.js";
import {
  type CachedRunOptions,
  cachedRun,
  having,
  outputsOf,
  planOf,
  statusOf,
  why,
} from "../helpers/cached-run.js";
import { removeTempDirs, repoRoot, tempDir, writeTree } from "../helpers/paths.js";
import { makeProject, prepTrainReport, script, writeOutput } from "../helpers/run-rig.js";

const executor = new ColdExecutor();
const run = (dir: string, options?: CachedRunOptions) => cachedRun(executor, dir, options);
afterAll(async () => {
  await executor.close();
  removeTempDirs();
});

describe("the cache on the bundled example", () => {
  const SCRIPTS = [
    "ModelCalibration_calibration",
    "ModelEval_calibration",
    "Package",
    "RiskTableMapping_calibration",
    "RiskTableMapping_training",
    "SklearnTraining",
    "TabularPreprocessing_calibration",
    "TabularPreprocessing_training",
  ];
  const dir = tempDir();
  const file = (rel: string) => path.join(dir, rel);
  const edit = (rel: string) => appendFileSync(file(rel), `\n# edited at ${performance.now()}\n`);
  const editConfig = (
    change: (c: {
      shared: Record<string, unknown>;
      specific: Record<string, Record<string, unknown>>;
    }) => void,
  ) => {
    const doc = JSON.parse(readFileSync(file("pipeline_config/config.json"), "utf8"));
    change(doc.configuration);
    writeFileSync(file("pipeline_config/config.json"), JSON.stringify(doc, null, 2));
  };
  const others = (ran: readonly string[]) => SCRIPTS.filter((s) => !ran.includes(s));

  beforeAll(() => {
    cpSync(path.join(repoRoot, "examples/tabular"), dir, {
      recursive: true,
      filter: (src) => !src.includes(`${path.sep}.dagtest`) && !src.includes("__pycache__"),
    });
  });

  it("an unchanged second run restores every script, byte for byte", async () => {
    const first = await run(dir);
    expect(first.pipelineSuccess, first.errors.join("\n")).toBe(true);
    expect(having(first, "passed")).toEqual(SCRIPTS);
    const second = await run(dir);
    expect(having(second, "cached")).toEqual(SCRIPTS);
    expect(second.executionOrder).toEqual([]);
    expect(outputsOf(second)).toEqual(outputsOf(first));
  });

  it("editing a leaf script reruns only that node", async () => {
    edit("src/scripts/package.py");
    const r = await run(dir);
    expect(having(r, "passed")).toEqual(["Package"]);
    expect(why(r, "Package")).toContain("the script changed");
    expect(having(r, "cached")).toEqual(others(["Package"]));
  });

  it("editing an upstream script reruns it and every descendant, and nothing else", async () => {
    edit("src/scripts/model_eval.py");
    const r = await run(dir);
    const ran = ["ModelCalibration_calibration", "ModelEval_calibration", "Package"];
    expect(having(r, "passed")).toEqual(ran);
    expect(having(r, "cached")).toEqual(others(ran));
    expect(why(r, "ModelEval_calibration")).toContain("the script changed");
    expect(why(r, "ModelCalibration_calibration")).toContain("input evaluation_data changed");
  });

  it("editing a module a script imports from its folder reruns that node and its descendants", async () => {
    edit("src/model_utils.py");
    const r = await run(dir);
    const ran = ["ModelCalibration_calibration", "ModelEval_calibration", "Package", "SklearnTraining"];
    expect(having(r, "passed")).toEqual(ran);
    expect(having(r, "cached")).toEqual(others(ran));
    expect(why(r, "SklearnTraining")).toContain("a module it imports from its folder changed");
  });

  it("changing an env value in the config reruns the nodes that read it, and their descendants", async () => {
    editConfig((c) => {
      c.specific.ModelCalibration_calibration!.calibration_method = "platt";
    });
    const r = await run(dir);
    // Only ModelCalibration reads CALIBRATION_METHOD. Package reruns too: a fingerprint holds the
    // fingerprints of the node's upstream nodes (what produced its inputs), not the bytes they
    // wrote, so a new upstream fingerprint is a new input for every descendant.
    expect(having(r, "passed")).toEqual(["ModelCalibration_calibration", "Package"]);
    expect(why(r, "ModelCalibration_calibration")).toContain("env CALIBRATION_METHOD changed");
    expect(why(r, "Package")).toContain("input calibration_model changed");
    // A shared value read by one script only (Package's REGION; the phantom loaders run nothing).
    editConfig((c) => {
      c.shared.region = "EU";
    });
    const shared = await run(dir);
    expect(having(shared, "passed")).toEqual(["Package"]);
    expect(why(shared, "Package")).toContain("env REGION changed");
  });

  it("changing user-supplied input data reruns the node that consumes it, and its descendants", async () => {
    const data = file("data/calibration/data/part-00000.csv");
    writeFileSync(data, readFileSync(data, "utf8").replace("87.10", "87.20"));
    const r = await run(dir);
    expect(having(r, "passed")).toEqual([
      "ModelCalibration_calibration",
      "ModelEval_calibration",
      "Package",
      "RiskTableMapping_calibration",
      "TabularPreprocessing_calibration",
    ]);
    expect(why(r, "TabularPreprocessing_calibration")).toContain("input DATA changed");
  });

  it("a corrupted cache entry is discarded and its node reruns and passes", async () => {
    const fp = fingerprintPlan((await planOf(dir)).plan).get("Package");
    if (!fp?.cacheable) throw new Error("Package should be cacheable");
    const stored = path.join(new LocalCache(dir).dir, "entries", fp.hash.slice(0, 2), fp.hash);
    const tarball = path.join(stored, "files/packaged_model/model.tar.gz");
    const bytes = readFileSync(tarball);
    bytes[10] = bytes[10]! ^ 0xff;
    writeFileSync(tarball, bytes);
    const r = await run(dir);
    expect(r.pipelineSuccess).toBe(true);
    expect(having(r, "passed")).toEqual(["Package"]);
    expect(why(r, "Package")).toContain("damaged");
    expect(having(await run(dir), "cached")).toEqual(SCRIPTS);
  });

  it("a garbage entry.json is discarded: its node reruns, and the next run is cached again", async () => {
    const fp = fingerprintPlan((await planOf(dir)).plan).get("Package");
    if (!fp?.cacheable) throw new Error("Package should be cacheable");
    const stored = path.join(new LocalCache(dir).dir, "entries", fp.hash.slice(0, 2), fp.hash);
    writeFileSync(path.join(stored, "entry.json"), "garbage {");
    const r = await run(dir);
    expect(r.pipelineSuccess).toBe(true);
    expect(having(r, "passed")).toEqual(["Package"]);
    expect(having(await run(dir), "cached")).toEqual(SCRIPTS);
  });

  it("deleting the earlier runs' folders changes nothing: every output comes back from the cache", async () => {
    const before = outputsOf(await run(dir));
    rmSync(file(".dagtest/runs"), { recursive: true, force: true });
    const r = await run(dir);
    expect(having(r, "cached")).toEqual(SCRIPTS);
    expect(outputsOf(r)).toEqual(before);
  });

  it("two runs at once on the same project both succeed and leave the cache intact", async () => {
    edit("src/scripts/model_eval.py");
    const both = await Promise.all([run(dir), run(dir)]);
    for (const r of both) {
      expect(r.pipelineSuccess, r.errors.join("\n")).toBe(true);
      expect([...having(r, "passed"), ...having(r, "cached")].sort()).toEqual(SCRIPTS);
    }
    const third = await run(dir);
    expect(having(third, "cached")).toEqual(SCRIPTS);
    expect(
      existsSync(path.join(new LocalCache(dir).dir, "tmp"))
        ? readdirSync(path.join(new LocalCache(dir).dir, "tmp"))
        : [],
    ).toEqual([]);
  });

  it("a node whose config input is not on this machine does not run, and says which field", async () => {
    // An input read from a config path that does not exist locally: an error on its node at plan
    // time (DAGTEST_CONFIG_PATH_MISSING), so nothing is run, and nothing unhashable is cached.
    const iface = file("interfaces/sklearn_training.step.yaml");
    const doc = parse(readFileSync(iface, "utf8"));
    doc.contract.inputs.hyperparameters_s3_uri = { path: "/opt/ml/input/config/hp.json", required: false };
    doc.contract.input_source_overrides = { hyperparameters_s3_uri: "hyperparameters_s3_uri" };
    writeFileSync(iface, stringify(doc));
    editConfig((c) => {
      c.specific.SklearnTraining!.hyperparameters_s3_uri = "not/here/hp.json";
    });
    for (const _ of [1, 2]) {
      const r = await run(dir);
      expect(r.scriptResults.SklearnTraining).toMatchObject({ status: "failed", reason: "not-ready" });
      expect(r.scriptResults.SklearnTraining?.message).toContain("hyperparameters_s3_uri = not/here/hp.json");
      expect(having(r, "cached")).not.toContain("SklearnTraining");
      expect(r.scriptResults.ModelEval_calibration?.status).toBe("skipped");
    }
  });
});

describe("partial runs, resume and the cache switches on a small plain pipeline", () => {
  /** prep copies the user's rows (plus `extra`); train sleeps while `slow` exists, then copies them on. */
  const spec = (slow: string, extra = "") =>
    prepTrainReport(
      {
        source: script(
          `shutil.copytree(input_paths["raw"], output_paths["clean"], dirs_exist_ok=True)\nopen(os.path.join(output_paths["clean"], "rows.csv"), "a").write("${extra}")`,
          "import shutil",
        ),
        inputs: ["raw"],
        outputs: ["clean"],
      },
      {
        source: script(
          `while os.path.exists(${JSON.stringify(slow)}):\n    time.sleep(0.05)\nrows = open(os.path.join(input_paths["clean"], "rows.csv")).read()\nos.makedirs(output_paths["model"], exist_ok=True)\nopen(os.path.join(output_paths["model"], "model.txt"), "w").write(rows)`,
        ),
        inputs: ["clean"],
        outputs: ["model"],
      },
      { data: { prep: { raw: { "rows.csv": "a,b\n1,2\n" } } } },
    );
  const slow = path.join(tempDir(), "slow");
  const dir = makeProject(spec(slow));
  const edit = (node: string) =>
    appendFileSync(path.join(dir, `scripts/${node}.py`), `\n# ${performance.now()}\n`);

  it("Ctrl-C during a node, then a rerun: finished nodes come from the cache, the rest run", async () => {
    writeFileSync(slow, "");
    const controller = new AbortController();
    const stopped = await run(dir, {
      signal: controller.signal,
      onStart: (node) => (node === "train" ? setTimeout(() => controller.abort(), 200) : undefined),
    });
    expect(stopped.interrupted).toBe(true);
    expect([statusOf(stopped, "prep"), statusOf(stopped, "train"), statusOf(stopped, "report")]).toEqual([
      "passed",
      "cancelled",
      "cancelled",
    ]);
    rmSync(slow);
    const resumed = await run(dir);
    expect(resumed.pipelineSuccess).toBe(true);
    expect(having(resumed, "cached")).toEqual(["prep"]);
    expect(having(resumed, "passed")).toEqual(["report", "train"]);
  });

  it("--only runs the node with its upstream outputs from the cache", async () => {
    edit("train");
    const r = await run(dir, { only: ["train"] });
    expect([statusOf(r, "prep"), statusOf(r, "train"), statusOf(r, "report")]).toEqual([
      "cached",
      "passed",
      "skipped",
    ]);
    expect(r.scriptResults.report?.reason).toBe("not-selected");
    expect(why(r, "train")).toContain("the script changed");
  });

  it("--from runs the node and its descendants; --to runs it and its ancestors", async () => {
    edit("train");
    const from = await run(dir, { from: ["train"] });
    expect(having(from, "passed")).toEqual(["report", "train"]);
    expect(having(from, "cached")).toEqual(["prep"]);
    edit("prep");
    const to = await run(dir, { to: ["train"] });
    expect(having(to, "passed")).toEqual(["prep", "train"]);
    expect(to.scriptResults.report?.reason).toBe("not-selected");
  });

  it("--force reruns a cached node; its descendants stay cached (their fingerprints did not change)", async () => {
    await run(dir);
    const r = await run(dir, { force: ["train"] });
    expect(having(r, "passed")).toEqual(["train"]);
    expect(why(r, "train")).toBe("--force");
    expect(having(r, "cached")).toEqual(["prep", "report"]);
  });

  it("without the cache (--no-cache) every node runs", async () => {
    const r = await run(dir, { cache: false });
    expect(having(r, "passed")).toEqual(["prep", "report", "train"]);
    expect(Object.values(r.scriptResults).every((s) => s.ranBecause.length === 0)).toBe(true);
  });

  it("--only with no earlier run or cache entry says which upstream must run first, and how", async () => {
    const fresh = makeProject(spec(slow));
    const error = await run(fresh, { only: ["train"] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DagtestError);
    expect(error).toMatchObject({ code: "DAGTEST_UPSTREAM_MISSING" });
    expect((error as DagtestError).message).toContain("prep");
    expect((error as DagtestError).hint).toContain("`dagtest run --to prep`");
    expect(existsSync(path.join(fresh, ".dagtest/runs"))).toBe(false);
  });

  it("results computed from an earlier run's outputs are not stored under the current fingerprint", async () => {
    const project = makeProject(spec(slow));
    expect((await run(project)).pipelineSuccess).toBe(true);
    // prep changes (new fingerprint, nothing cached for it): --only train reuses prep's outputs
    // from the last run, which were made by the old prep.
    writeFileSync(path.join(project, "scripts/prep.py"), spec(slow, "3,4\\n").nodes.prep.source);
    const partial = await run(project, { only: ["train"] });
    expect(partial.scriptResults.prep?.message).toMatch(/^not selected: outputs reused from run /);
    expect(statusOf(partial, "train")).toBe("passed");
    // The full run must not take train from the cache: that result came from the old prep.
    const full = await run(project);
    expect(having(full, "passed")).toEqual(["prep", "report", "train"]);
    const model = readFileSync(path.join(full.scriptResults.train!.outputs.model!, "model.txt"), "utf8");
    expect(model).toBe("a,b\n1,2\n3,4\n");
  });
});

describe("the cache follows local imports through local modules", () => {
  /** feat imports helper.py, which imports deep.py (from the same folder); report consumes feat; other imports nothing. */
  const dir = makeProject({
    nodes: {
      feat: {
        source: script(
          `os.makedirs(output_paths["features"], exist_ok=True)\nopen(os.path.join(output_paths["features"], "f.txt"), "w").write(helper.describe())`,
          "import helper",
        ),
        outputs: ["features"],
      },
      report: { source: script(writeOutput("summary")), inputs: ["features"], outputs: ["summary"] },
      other: { source: script(writeOutput("out")), outputs: ["out"] },
    },
    edges: [["feat", "report"]],
  });
  writeTree(dir, {
    "scripts/helper.py": "import deep\n\n\ndef describe():\n    return 'helper+' + deep.NAME\n",
    "scripts/deep.py": "NAME = 'deep-1'\n",
    "scripts/unrelated.py": "X = 1\n",
  });
  const features = (r: Awaited<ReturnType<typeof run>>) =>
    readFileSync(path.join(r.scriptResults.feat!.outputs.features!, "f.txt"), "utf8");

  it("plans the whole closure as the node's local imports", async () => {
    const { plan } = await planOf(dir);
    const feat = plan.nodes.find((n) => n.name === "feat");
    expect(feat?.kind === "script" ? feat.check?.localImports : null).toEqual([
      path.join(dir, "scripts/deep.py"),
      path.join(dir, "scripts/helper.py"),
    ]);
  });

  it("an unchanged rerun, or an edit to a module nothing imports, restores every node", async () => {
    const first = await run(dir);
    expect(first.pipelineSuccess, first.errors.join("\n")).toBe(true);
    expect(features(first)).toBe("helper+deep-1");
    expect(having(await run(dir), "cached")).toEqual(["feat", "other", "report"]);
    appendFileSync(path.join(dir, "scripts/unrelated.py"), "Y = 2\n");
    expect(having(await run(dir), "cached")).toEqual(["feat", "other", "report"]);
  });

  it("editing a module imported only through another one reruns the node and its descendants", async () => {
    writeFileSync(path.join(dir, "scripts/deep.py"), "NAME = 'deep-2'\n");
    const r = await run(dir);
    expect(having(r, "passed")).toEqual(["feat", "report"]);
    expect(having(r, "cached")).toEqual(["other"]);
    expect(why(r, "feat")).toBe("a module it imports from its folder changed (deep.py)");
    expect(why(r, "report")).toContain("input features changed");
    expect(features(r)).toBe("helper+deep-2");
    expect(having(await run(dir), "cached")).toEqual(["feat", "other", "report"]);
  });

  it("a module newly imported by a helper joins the fingerprint", async () => {
    writeTree(dir, {
      "scripts/deeper/__init__.py": "",
      "scripts/deeper/leaf.py": "SUFFIX = '!'\n",
      "scripts/deep.py": "from deeper.leaf import SUFFIX\nNAME = 'deep-3' + SUFFIX\n",
    });
    const r = await run(dir);
    expect(having(r, "passed")).toEqual(["feat", "report"]);
    expect(why(r, "feat")).toBe(
      "a module it imports from its folder changed (deep.py, deeper/__init__.py, deeper/leaf.py)",
    );
    appendFileSync(path.join(dir, "scripts/deeper/leaf.py"), "SUFFIX = '?'\n");
    const again = await run(dir);
    expect(having(again, "passed")).toEqual(["feat", "report"]);
    expect(why(again, "feat")).toBe("a module it imports from its folder changed (deeper/leaf.py)");
    expect(features(again)).toBe("helper+deep-3?");
  });
});
