/**
 * Planning each fixture shape end to end (loadSpecProject + planProject, with the real Python
 * describe): order, layers, wires, questions.
 */
import { appendFileSync, cpSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSpecProject } from "../../src/config/project.js";
import { DagtestError } from "../../src/errors.js";
import type { Plan } from "../../src/model/plan.js";
import { OFFLINE_ENV } from "../../src/plan/env.js";
import { fixture, removeTempDirs, tempDir, writeTree } from "../helpers/paths.js";
import { codes, inputOf, phantomNode, planSpec, scriptNode, wirePairs } from "../helpers/plan.js";

afterAll(removeTempDirs);

function expectCleanScripts(plan: Plan): void {
  expect(plan.problems).toEqual([]);
  expect(plan.nodes.every((n) => n.kind === "script")).toBe(true);
  for (const wire of plan.wires) expect(wire.score ?? 0, wirePairs(plan).join("; ")).toBeGreaterThan(0.5);
}

describe("plain shapes", () => {
  it("linear: one chain, each parent output feeds the child", async () => {
    const plan = await planSpec(fixture("linear"));
    expect(plan.order).toEqual(["extract", "transform", "load"]);
    expect(plan.layers).toEqual([["extract"], ["transform"], ["load"]]);
    expect(wirePairs(plan)).toEqual(["extract.raw -> transform.raw", "transform.clean -> load.clean"]);
    expectCleanScripts(plan);
    expect(plan.questions).toEqual([]);
    expect(plan.summary).toMatchObject({ nodes: 3, scripts: 3, phantoms: 0, wires: 2, ready: true });
    const transform = scriptNode(plan, "transform");
    expect(transform.script).toMatchObject({
      path: path.join(fixture("linear"), "scripts/transform.py"),
      rule: "plain",
    });
    expect(transform.env.filter((e) => e.source?.kind !== "engine")).toEqual([
      { name: "UPPERCASE", required: false, declared: true, value: "true", source: { kind: "user" } },
    ]);
    // Plain scripts are kept offline too.
    expect(transform.env.find((e) => e.name === "USE_SECURE_PYPI")).toMatchObject({ value: "false" });
    expect(transform.check?.inputKeys).toEqual(["raw"]);
    expect(transform.check?.outputKeys).toEqual(["clean"]);
    expect(transform.check?.mainParams).toEqual(["input_paths", "output_paths", "environ_vars", "job_args"]);
    expect(plan.sources.python.version).toMatch(/^3\.\d+/);
  });

  it("diamond: both branches in one layer, each branch output feeds its own join input", async () => {
    const plan = await planSpec(fixture("diamond"));
    expect(plan.order).toEqual(["split", "left", "right", "join"]);
    expect(plan.layers).toEqual([["split"], ["left", "right"], ["join"]]);
    expect(wirePairs(plan)).toEqual([
      "split.left_part -> left.left_part",
      "split.right_part -> right.right_part",
      "left.left_result -> join.left_result",
      "right.right_result -> join.right_result",
    ]);
    expectCleanScripts(plan);
    expect(plan.summary.ready).toBe(true);
  });

  it("fan-out-fan-in: one output feeds three consumers; three outputs feed one", async () => {
    const plan = await planSpec(fixture("fan-out-fan-in"));
    expect(plan.layers).toEqual([["source"], ["stats_a", "stats_b", "stats_c"], ["merge"]]);
    expect(wirePairs(plan)).toEqual([
      "source.dataset -> stats_a.dataset",
      "source.dataset -> stats_b.dataset",
      "source.dataset -> stats_c.dataset",
      "stats_a.part_a -> merge.part_a",
      "stats_b.part_b -> merge.part_b",
      "stats_c.part_c -> merge.part_c",
    ]);
    expectCleanScripts(plan);
    // The same script serves three nodes, each with its own job args.
    const columns = ["stats_a", "stats_b", "stats_c"].map((n) => scriptNode(plan, n).jobArgs);
    expect(columns).toEqual(
      ["a", "b", "c"].map((value) => [{ flag: "--column", attr: "column", value, source: { kind: "user" } }]),
    );
    expect(scriptNode(plan, "stats_a").script.path).toBe(scriptNode(plan, "stats_c").script.path);
  });

  it("cycle: refused at load time with the path, in dagtest.yaml, at an edge", () => {
    const spec = path.join(fixture("cycle"), "dagtest.yaml");
    let error: unknown;
    try {
      loadSpecProject(spec);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DagtestError);
    const e = error as DagtestError;
    expect(e.code).toBe("DAGTEST_CYCLE");
    expect(e.message).toContain("a → b → c → a");
    expect(e.location?.file).toBe(spec);
    expect(e.location?.line).toBeGreaterThan(1);
  });

  it("missing-producer: an unfed required input becomes a question, never a guess", async () => {
    const plan = await planSpec(fixture("missing-producer"));
    expect(wirePairs(plan)).toEqual(["load.features -> train.features"]);
    expect(plan.questions).toHaveLength(1);
    const question = plan.questions[0]!;
    expect(question).toMatchObject({
      id: "train.inputs.labels",
      node: "train",
      kind: "input",
      name: "labels",
      answerAt: "nodes.train.inputs.labels",
      consumers: [{ node: "train", port: "labels" }],
    });
    // The best candidate scored above 0.5 but already feeds `features`: the message says so.
    expect(question.message).toMatch(/load\.features \(score 0\.\d\d\) already feeds another input of train/);
    expect(question.message).not.toContain("below");
    // An optional input nobody feeds gets an empty folder, not a question.
    expect(inputOf(plan, "train", "warm_start")).toMatchObject({
      required: false,
      provision: { kind: "none" },
    });
    expect(inputOf(plan, "train", "labels").provision).toEqual({ kind: "none" });
    expect(plan.summary).toMatchObject({ questions: 1, errors: 0, ready: false });
  });

  it("answering the question in dagtest.yaml supplies the input and makes the plan ready", async () => {
    const dir = tempDir();
    cpSync(fixture("missing-producer"), dir, { recursive: true });
    writeTree(dir, { "labels/y.csv": "y\n1\n" });
    appendFileSync(path.join(dir, "dagtest.yaml"), "nodes:\n  train:\n    inputs:\n      labels: labels\n");
    const plan = await planSpec(dir);
    expect(plan.questions).toEqual([]);
    expect(inputOf(plan, "train", "labels").provision).toEqual({
      kind: "user",
      path: path.join(dir, "labels"),
    });
    expect(plan.summary.ready).toBe(true);
  });

  it("only DAG parents feed a node: a matching grandparent output is not wired", async () => {
    const dir = writeTree(tempDir(), {
      "a.py": "def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n",
      "dagtest.yaml": [
        "version: 1",
        "pipeline:",
        "  nodes:",
        "    A: {script: a.py, outputs: [raw]}",
        "    B: {script: a.py, inputs: [raw], outputs: [clean]}",
        "    C: {script: a.py, inputs: [clean, raw]}",
        "  edges: [[A, B], [B, C]]",
        "",
      ].join("\n"),
    });
    const plan = await planSpec(dir);
    expect(wirePairs(plan)).toEqual(["A.raw -> B.raw", "B.clean -> C.clean"]);
    expect(plan.questions.map((q) => q.id)).toEqual(["C.inputs.raw"]);
  });
});

describe("cursus-mini", () => {
  it("plans the phantom source, the variants, the Training channels and the env from the config", async () => {
    const root = fixture("cursus-mini");
    const plan = await planSpec(root);
    expect(plan.order).toEqual([
      "MiniLoading_training",
      "MiniPreprocessing_training",
      "MiniPreprocessing_calibration",
      "MiniTraining",
      "MiniEval_calibration",
    ]);
    expect(plan.problems).toEqual([]);
    expect(plan.questions).toEqual([]);
    expect(plan.summary).toMatchObject({ scripts: 4, phantoms: 1, ready: true });

    const loading = phantomNode(plan, "MiniLoading_training");
    expect(loading.reason).toBe("not-processing-or-training");
    expect(loading.detail).toContain("secure_ai_sandbox_workflow_python_sdk");
    expect(loading.suppliedOutputs).toEqual({
      DATA: path.join(root, "data/raw"),
      SIGNATURE: path.join(root, "data/signature"),
      METADATA: null,
    });

    expect(wirePairs(plan)).toEqual([
      "MiniLoading_training.DATA -> MiniPreprocessing_training.DATA",
      "MiniLoading_training.SIGNATURE -> MiniPreprocessing_training.SIGNATURE",
      "MiniLoading_training.DATA -> MiniPreprocessing_calibration.DATA",
      "MiniLoading_training.SIGNATURE -> MiniPreprocessing_calibration.SIGNATURE",
      "MiniPreprocessing_training.model_artifacts_output -> MiniPreprocessing_calibration.model_artifacts_input",
      "MiniPreprocessing_training.processed_data -> MiniTraining.input_path",
      "MiniTraining.model_output -> MiniEval_calibration.model_input",
      "MiniPreprocessing_calibration.processed_data -> MiniEval_calibration.eval_data",
    ]);
    expect(plan.wires.every((w) => (w.score ?? 0) > 0.5)).toBe(true);
    expect(plan.wires.filter((w) => w.viaPhantom)).toHaveLength(4);

    // The calibration variant makes model_artifacts_input required; the training variant does not.
    expect(scriptNode(plan, "MiniPreprocessing_calibration").interface?.variant).toBe("calibration");
    expect(inputOf(plan, "MiniPreprocessing_calibration", "model_artifacts_input").required).toBe(true);
    expect(inputOf(plan, "MiniPreprocessing_training", "model_artifacts_input")).toMatchObject({
      required: false,
      provision: { kind: "none" },
    });

    const training = scriptNode(plan, "MiniTraining");
    expect(training.script).toMatchObject({
      path: path.join(root, "src/mini_training.py"),
      rule: "path-remap",
    });
    expect(inputOf(plan, "MiniTraining", "input_path").channels).toEqual(["train", "val", "test"]);
    expect(inputOf(plan, "MiniTraining", "hyperparameters_s3_uri").provision).toEqual({
      kind: "code-dir",
      path: path.join(root, "src/hyperparams/hyperparameters.json"),
    });
    expect(training.check?.localImports).toEqual([path.join(root, "src/mini_utils.py")]);
    expect(Object.fromEntries(training.env.map((e) => [e.name, [e.value, e.source?.kind]]))).toEqual({
      LABEL_FIELD: ["label", "config"],
      ID_FIELD: ["id", "config"],
      N_ESTIMATORS: ["25", "config"],
      MAX_DEPTH: ["3", "config"],
      USE_SECURE_PYPI: ["false", "engine"],
      EXTRA_FLAG: ["on", "config-env"],
      ...Object.fromEntries(
        Object.entries(OFFLINE_ENV)
          .filter(([name]) => name !== "USE_SECURE_PYPI")
          .map(([name, rule]) => [name, [rule.value, "engine"]]),
      ),
    });
    expect(training.parity).toEqual([
      expect.objectContaining({ package: "numpy", wanted: ">=1.20", satisfied: true }),
    ]);

    const evaluation = scriptNode(plan, "MiniEval_calibration");
    expect(evaluation.jobArgs).toEqual([
      {
        flag: "--job_type",
        attr: "job_type",
        value: "calibration",
        source: { kind: "config", field: "job_type" },
      },
    ]);
    expect(evaluation.env.find((e) => e.name === "EVAL_METRIC_CHOICES")?.value).toBe("auc,f1");
    expect(scriptNode(plan, "MiniPreprocessing_training").config).toEqual({
      key: "MiniPreprocessing_training",
      rule: "exact-key",
    });
  });

  it("asks where a phantom's output is when nobody supplied it, naming every consumer", async () => {
    const root = fixture("cursus-mini");
    const dir = writeTree(tempDir(), {
      "dagtest.yaml": [
        "version: 1",
        `dag: ${root}/pipeline.dag.json`,
        `config: ${root}/pipeline_config/config.json`,
        `interfaces: [${root}/interfaces]`,
        "paths:",
        `  dockers/mini: ${root}/src`,
        "",
      ].join("\n"),
    });
    const plan = await planSpec(dir);
    expect(plan.questions.map((q) => q.id)).toEqual(["MiniLoading_training.outputs.DATA"]);
    expect(plan.questions[0]).toMatchObject({
      kind: "phantom-output",
      node: "MiniLoading_training",
      name: "DATA",
      answerAt: "nodes.MiniLoading_training.outputs.DATA",
      consumers: [
        { node: "MiniPreprocessing_training", port: "DATA" },
        { node: "MiniPreprocessing_calibration", port: "DATA" },
      ],
    });
    // SIGNATURE is optional downstream: no question for it.
    expect(plan.summary).toMatchObject({ questions: 1, ready: false });
    expect(codes(plan, "error")).toEqual([]);
  });
});
