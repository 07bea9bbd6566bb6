/**
 * Planning every real cursus shared DAG with the real interfaces, and the real project configs
 * where they cover a DAG. Needs the cursus checkout at ../shared/cursus; without it the suite is
 * skipped and says so.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import { loadDirectProject } from "../../src/config/project.js";
import type { Plan } from "../../src/model/plan.js";
import { planProject } from "../../src/plan/build.js";
import { xgboostCompleteE2e } from "../helpers/cursus.js";
import {
  conformingScript,
  cursusRoot,
  removeTempDirs,
  repoRoot,
  tempDir,
  testPython,
  writeTree,
} from "../helpers/paths.js";
import { phantomNode, scriptNode, wirePairs } from "../helpers/plan.js";

afterAll(removeTempDirs);

const present = existsSync(cursusRoot);
if (!present) console.warn("../shared/cursus not found: skipping the real-cursus tests");

const dagsRoot = path.join(cursusRoot, "src/cursus/pipeline_catalog/shared_dags");
const interfaces = path.join(cursusRoot, "src/cursus/steps/interfaces");
const projects = path.join(cursusRoot, "projects");
const dagFiles: string[] = present
  ? readdirSync(dagsRoot, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".dag.json"))
      .sort()
  : [];

interface RawDagFile {
  dag: { nodes: string[]; edges: [string, string][] };
}
interface RawConfig {
  configuration: { shared: Record<string, unknown>; specific: Record<string, Record<string, unknown>> };
}
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, "utf8")) as T;

function plan(dag: string, options: { config?: string; scripts?: string[] } = {}): Promise<Plan> {
  return planProject(
    loadDirectProject({
      dag: path.join(dagsRoot, dag),
      config: options.config,
      interfaces: [interfaces],
      scripts: options.scripts,
      python: testPython(),
      cwd: tempDir(),
    }),
  );
}

/** Each shared DAG planned once with the interfaces alone (no config, no scripts), shared by tests. */
const bare = new Map<string, Promise<Plan>>();
function planBare(dag: string): Promise<Plan> {
  if (!bare.has(dag)) bare.set(dag, plan(dag));
  return bare.get(dag)!;
}

/** cursus-formats §3.7: step types that are phantoms whatever files exist, and why. */
const ALWAYS_PHANTOM: Readonly<Record<string, string>> = {
  CradleDataLoading: "not-processing-or-training",
  Registration: "not-processing-or-training",
  EdxUploading: "needs-internal-sdk",
};

describe.skipIf(!present)("every cursus shared DAG", () => {
  it("finds the 46 shared DAG files", () => {
    expect(dagFiles).toHaveLength(46);
  });

  it.each(dagFiles)(
    "%s: plans without throwing; every node is a script or a phantom with a reason",
    async (dag) => {
      const raw = readJson<RawDagFile>(path.join(dagsRoot, dag)).dag;
      const result = await planBare(dag);
      expect(result.nodes.map((n) => n.name).sort()).toEqual([...raw.nodes].sort());
      for (const [from, to] of raw.edges)
        expect(result.order.indexOf(from)).toBeLessThan(result.order.indexOf(to));
      // Every node name resolves to a real interface.
      expect(result.problems.filter((p) => p.code === "DAGTEST_NO_INTERFACE")).toEqual([]);
      for (const node of result.nodes) {
        expect(node.stepType, node.name).not.toBeNull();
        if (node.kind === "script") continue;
        expect(node.detail.length, node.name).toBeGreaterThan(0);
        // No script folder was given, so anything not inherently a phantom is "not found".
        expect(node.reason, node.name).toBe(ALWAYS_PHANTOM[node.stepType!] ?? "script-not-found");
      }
    },
  );

  it("orders xgboost/complete_e2e exactly as cursus's PipelineDAG does", async () => {
    expect((await planBare("xgboost/complete_e2e.dag.json")).order).toEqual(xgboostCompleteE2e.cursusOrder);
  });
});

describe.skipIf(!present)("real project configs with xgboost/complete_e2e", () => {
  it.each(["atoz_xgboost", "ab_lightgbm"])(
    "%s: matches every node and derives env by the §4 rules",
    async (name) => {
      const configFile = path.join(projects, name, "pipeline_config/config.json");
      const config = readJson<RawConfig>(configFile).configuration;
      // Conforming stand-ins for the scripts, which the checkout does not ship.
      const entryPoints = Object.values(config.specific).flatMap((entry) =>
        [entry.processing_entry_point, entry.training_entry_point].filter(
          (e): e is string => typeof e === "string",
        ),
      );
      const stubs = writeTree(tempDir(), Object.fromEntries(entryPoints.map((e) => [e, conformingScript()])));
      const result = await plan("xgboost/complete_e2e.dag.json", { config: configFile, scripts: [stubs] });

      for (const node of result.nodes)
        expect(node.config, node.name).toEqual({ key: node.name, rule: "exact-key" });
      expect(result.nodes.filter((n) => n.kind === "phantom").map((n) => n.name)).toEqual([
        "CradleDataLoading_training",
        "CradleDataLoading_calibration",
        "Registration",
      ]);
      expect(scriptNode(result, "XGBoostTraining").script.rule).toBe("search-fallback");
      expect(phantomNode(result, "CradleDataLoading_calibration").jobType).toBe("calibration");

      const env = (node: string, name: string) => scriptNode(result, node).env.find((e) => e.name === name);
      const specific = config.specific;
      expect(env("TabularPreprocessing_training", "LABEL_FIELD")).toMatchObject({
        value: specific.TabularPreprocessing_training?.label_name,
        source: { kind: "config", field: "label_name" },
      });
      expect(env("ModelCalibration_calibration", "LABEL_FIELD")).toMatchObject({
        value: specific.ModelCalibration_calibration?.label_field,
        source: { kind: "config", field: "label_field" },
      });
      expect(env("XGBoostModelEval_calibration", "ID_FIELD")?.value).toBe(
        specific.XGBoostModelEval_calibration?.id_name,
      );
      expect(env("XGBoostTraining", "USE_SECURE_PYPI")).toMatchObject({
        value: "false",
        source: { kind: "engine" },
      });
      expect(scriptNode(result, "TabularPreprocessing_calibration").jobArgs[0]?.value).toBe("calibration");

      expect(wirePairs(result)).toEqual(
        expect.arrayContaining([
          "CradleDataLoading_training.DATA -> TabularPreprocessing_training.DATA",
          "TabularPreprocessing_training.processed_data -> XGBoostTraining.input_path",
          "XGBoostTraining.model_output -> XGBoostModelEval_calibration.model_input",
          "TabularPreprocessing_calibration.processed_data -> XGBoostModelEval_calibration.processed_data",
          "XGBoostModelEval_calibration.eval_output -> ModelCalibration_calibration.evaluation_data",
          "XGBoostTraining.model_output -> Package.model_input",
          "ModelCalibration_calibration.calibration_output -> Package.calibration_model",
        ]),
      );
      const edges = new Set(
        readJson<RawDagFile>(path.join(dagsRoot, "xgboost/complete_e2e.dag.json")).dag.edges.map((e) =>
          e.join(">"),
        ),
      );
      for (const wire of result.wires) expect(edges.has(`${wire.from.node}>${wire.to.node}`)).toBe(true);
      expect(result.questions.map((q) => q.answerAt)).toEqual([
        "nodes.CradleDataLoading_training.outputs.DATA",
        "nodes.CradleDataLoading_calibration.outputs.DATA",
      ]);
      // The checkout's interfaces pin packages this venv lacks (xgboost, ...): those are the only errors.
      expect(new Set(result.problems.filter((p) => p.severity === "error").map((p) => p.code))).toEqual(
        new Set(result.summary.errors > 0 ? ["DAGTEST_PACKAGE_MISSING"] : []),
      );
    },
  );
});

describe.skipIf(!present)("rnr_pytorch_bedrock configs with the bedrock and pytorch DAGs", () => {
  const rnr = path.join(projects, "rnr_pytorch_bedrock/pipeline_config");
  const configs = present
    ? readdirSync(rnr)
        .filter((f) => /^config.*\.json$/.test(f))
        .sort()
    : [];
  const pairs = configs.flatMap((config) => {
    const keys = new Set(Object.keys(readJson<RawConfig>(path.join(rnr, config)).configuration.specific));
    return dagFiles
      .filter((dag) => /^(bedrock|pytorch)\//.test(dag))
      .filter((dag) => readJson<RawDagFile>(path.join(dagsRoot, dag)).dag.nodes.every((n) => keys.has(n)))
      .map((dag) => [config, dag] as const);
  });

  it("finds the DAGs each config covers", () => {
    expect(pairs).toEqual(
      expect.arrayContaining([
        ["config.json", "bedrock/bedrock_batch_pytorch_e2e.dag.json"],
        ["config_full.json", "pytorch/complete_e2e_dummy.dag.json"],
      ]),
    );
  });

  it.each(pairs)("%s with %s: every node finds its config entry", async (config, dag) => {
    const result = await plan(dag, { config: path.join(rnr, config) });
    expect(result.problems.filter((p) => p.code === "DAGTEST_NO_CONFIG_ENTRY")).toEqual([]);
    for (const node of result.nodes) expect(node.config?.key, node.name).toBe(node.name);
  });

  it("a config that does not cover the DAG names each node without an entry", async () => {
    const result = await plan("bedrock/bedrock_batch_pytorch_e2e.dag.json", {
      config: path.join(rnr, "config_NA.json"),
    });
    const missing = result.problems.filter((p) => p.code === "DAGTEST_NO_CONFIG_ENTRY");
    expect(missing.map((p) => p.node)).toContain("PyTorchTraining");
    expect(
      missing.every((p) => p.severity === "error" && p.location?.file === path.join(rnr, "config_NA.json")),
    ).toBe(true);
    expect(result.nodes.find((n) => n.name === "PyTorchTraining")?.config).toBeNull();
  });
});

const planSchema = path.join(repoRoot, "schema/plan.schema.json");

describe.skipIf(!present)("plan JSON against schema/plan.schema.json", () => {
  it.skipIf(!existsSync(planSchema))("validates the plan of every shared DAG", async () => {
    const validate = new Ajv({ strict: false, allowUnionTypes: true }).compile(readJson<object>(planSchema));
    for (const dag of dagFiles) {
      const json = JSON.parse(JSON.stringify(await planBare(dag))) as unknown;
      expect(validate(json), `${dag}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
    }
  });
});
