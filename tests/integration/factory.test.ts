/**
 * The interactive testing factory's library API on the bundled example (a temp copy, started
 * without its dagtest.yaml) and on a real cursus pipeline with stand-in scripts: only what no
 * script or config can provide is asked; answers are validated at once; dagtest.yaml keeps the
 * user's hand edits and only what the user decided.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { wizardQuestions } from "../../src/cli/wizard/questions.js";
import { DagtestError } from "../../src/errors.js";
import { createTestingFactory } from "../../src/factory/create.js";
import type { TestingFactory } from "../../src/factory/factory.js";
import { rejection } from "../helpers/errors.js";
import { exampleCopy, exampleFactory, supplyCradleData } from "../helpers/factory.js";
import {
  conformingScript,
  cursusRoot,
  removeTempDirs,
  tempDir,
  testPython,
  writeTree,
} from "../helpers/paths.js";

afterAll(removeTempDirs);

const PHANTOMS = ["CradleDataLoading_training", "CradleDataLoading_calibration", "Registration"];
const SCRIPTS = [
  "TabularPreprocessing_training",
  "TabularPreprocessing_calibration",
  "RiskTableMapping_training",
  "SklearnTraining",
  "RiskTableMapping_calibration",
  "ModelEval_calibration",
  "ModelCalibration_calibration",
  "Package",
];

describe("createTestingFactory on the example pipeline", () => {
  it("lists the scripts to test in topological order, and never a phantom", async () => {
    const factory = await exampleFactory(exampleCopy());
    expect(factory.getScriptsRequiringTesting()).toEqual(SCRIPTS);
    for (const phantom of PHANTOMS) expect(factory.getScriptsRequiringTesting()).not.toContain(phantom);
  });

  it("lists the three phantoms with the reason each cannot run", async () => {
    const skipped = (await exampleFactory(exampleCopy())).getSkippedNodes();
    expect(skipped.map((s) => s.node)).toEqual(PHANTOMS);
    for (const s of skipped) {
      expect(s.reason).toBe("not-processing-or-training");
      expect(s.detail).toMatch(/runs inside SageMaker/);
    }
  });

  it("shows every requirement with its source: config field, interface default, upstream", async () => {
    const factory = await exampleFactory(exampleCopy());
    const training = factory.getScriptTestingRequirements("TabularPreprocessing_training");
    expect(training.env.find((e) => e.name === "LABEL_FIELD")).toMatchObject({
      defaultValue: "is_fraud",
      source: "config",
      configField: "label_name",
      needsUser: false,
    });
    const calibration = factory.getScriptTestingRequirements("TabularPreprocessing_calibration");
    expect(calibration.env.find((e) => e.name === "OUTPUT_FORMAT")).toMatchObject({
      defaultValue: "CSV",
      source: "interface-default",
      configField: null,
    });
    const rtm = factory.getScriptTestingRequirements("RiskTableMapping_calibration");
    expect(rtm.inputs.map((i) => [i.name, i.defaultValue, i.source])).toEqual([
      ["data_input", "TabularPreprocessing_calibration.processed_data", "upstream"],
      ["model_artifacts_input", "RiskTableMapping_training.model_artifacts_output", "upstream"],
    ]);
    expect(rtm.jobArgs[0]).toMatchObject({ name: "job_type", defaultValue: "calibration", source: "config" });
    expect(rtm.missing).toEqual([]);
    expect(training.missing).toEqual([
      expect.objectContaining({
        field: "inputs.DATA",
        answerAt: "nodes.CradleDataLoading_training.outputs.DATA",
      }),
    ]);
    expect(training.inputs.find((i) => i.name === "DATA")).toMatchObject({
      source: "phantom-upstream",
      needsUser: true,
    });
  });
});

describe("configureScriptTesting validates at once", () => {
  it("rejects a missing required input, naming the script, the field and the fix", async () => {
    const factory = await exampleFactory(exampleCopy());
    const error = rejection(() =>
      factory.configureScriptTesting("TabularPreprocessing_training", { env: { TRAIN_RATIO: 0.8 } }),
    );
    expect(error.code).toBe("DAGTEST_INVALID_CONFIGURATION");
    expect(error.message).toContain("TabularPreprocessing_training: inputs.DATA:");
    expect(error.hint).toContain('configureScriptTesting("TabularPreprocessing_training", { inputs: { DATA:');
    expect(error.hint).toContain("nodes.CradleDataLoading_training.outputs.DATA");
    // Nothing was applied.
    expect(factory.getTestingFactorySummary().states.TabularPreprocessing_training).toBe("pending");
  });

  it("rejects a path that does not exist", async () => {
    const factory = await exampleFactory(exampleCopy());
    const error = rejection(() =>
      factory.configureScriptTesting("TabularPreprocessing_training", { inputs: { DATA: "data/nope" } }),
    );
    expect(error.code).toBe("DAGTEST_INVALID_CONFIGURATION");
    expect(error.message).toMatch(
      /^TabularPreprocessing_training: inputs\.DATA: the path data\/nope does not exist/,
    );
    expect(error.hint).toMatch(/Create it, or give an existing folder/);
    const phantom = rejection(() =>
      factory.configureScriptTesting("CradleDataLoading_training", { outputs: { DATA: "/no/such/dir" } }),
    );
    expect(phantom.message).toMatch(
      /^CradleDataLoading_training: outputs\.DATA: the path \/no\/such\/dir does not exist/,
    );
  });

  it("rejects an unknown env name with a did-you-mean", async () => {
    const factory = await exampleFactory(exampleCopy());
    const error = rejection(() =>
      factory.configureScriptTesting("TabularPreprocessing_training", {
        inputs: { DATA: "data/training/data" },
        env: { LABEL_FEILD: "is_fraud" },
      }),
    );
    expect(error.code).toBe("DAGTEST_INVALID_CONFIGURATION");
    expect(error.message).toContain("TabularPreprocessing_training: env.LABEL_FEILD:");
    expect(error.hint).toContain('Did you mean "LABEL_FIELD"?');
  });
});

describe("configuration states and the saved spec", () => {
  it("moves pending → complete and auto-configurable → auto-configured", async () => {
    const factory = await exampleFactory(exampleCopy());
    const before = factory.getTestingFactorySummary();
    expect(before.states.TabularPreprocessing_training).toBe("pending");
    expect(before.states.RiskTableMapping_training).toBe("auto-configurable");
    expect(before.pendingScripts).toEqual([
      "TabularPreprocessing_training",
      "TabularPreprocessing_calibration",
    ]);
    expect(before.readyForTesting).toBe(false);
    expect(factory.getPendingScriptConfigurations()).toEqual(before.pendingScripts);

    factory.configureScriptTesting("TabularPreprocessing_training", {
      inputs: { DATA: "data/training/data" },
    });
    factory.configureScriptTesting("CradleDataLoading_calibration", {
      outputs: { DATA: "data/calibration/data" },
    });
    expect(factory.canAutoConfigureScript("RiskTableMapping_training")).toBe(true);
    expect(factory.autoConfigureScriptIfPossible("RiskTableMapping_training")).toBe(true);
    const after = factory.getTestingFactorySummary();
    expect(after.states.TabularPreprocessing_training).toBe("complete");
    // Answering the phantom's data completes the script it feeds.
    expect(after.states.TabularPreprocessing_calibration).toBe("complete");
    expect(after.states.RiskTableMapping_training).toBe("auto-configured");
    expect(after.states.SklearnTraining).toBe("auto-configurable");
    expect(after.readyForTesting).toBe(true);
  });

  it("does not write a value equal to the config's, and a reloaded factory sees the same state", async () => {
    const dir = exampleCopy();
    const factory = await exampleFactory(dir);
    supplyCradleData(factory);
    factory.configureScriptTesting("TabularPreprocessing_training", {
      env: { LABEL_FIELD: "is_fraud", TRAIN_RATIO: 0.8 },
    });
    factory.save();
    const saved = readFileSync(path.join(dir, "dagtest.yaml"), "utf8");
    expect(saved).toContain("TRAIN_RATIO: 0.8");
    expect(saved).not.toContain("LABEL_FIELD");
    expect(saved).toContain("SIGNATURE: data/calibration/signature");

    const reloaded = await createTestingFactory({ project: dir, python: testPython() });
    expect(reloaded.getTestingFactorySummary()).toEqual(factory.getTestingFactorySummary());
    expect(reloaded.getScriptTestingRequirements("TabularPreprocessing_training")).toEqual(
      factory.getScriptTestingRequirements("TabularPreprocessing_training"),
    );
    expect(
      reloaded
        .getScriptTestingRequirements("TabularPreprocessing_training")
        .env.find((e) => e.name === "TRAIN_RATIO"),
    ).toMatchObject({ defaultValue: "0.8", source: "user" });
    // Setting it back to the config's value removes the override instead of freezing the value.
    reloaded.configureScriptTesting("TabularPreprocessing_training", { env: { TRAIN_RATIO: "0.7" } });
    reloaded.save();
    expect(readFileSync(path.join(dir, "dagtest.yaml"), "utf8")).not.toContain(
      "TabularPreprocessing_training",
    );
  });

  it("saving keeps the comments and the order of a hand-edited dagtest.yaml", async () => {
    const dir = exampleCopy();
    const handWritten = [
      "# My test spec. Hand-written: keep this comment.",
      "version: 1",
      "interfaces: [interfaces] # before dag, on purpose",
      "dag: pipeline.dag.json",
      "config: pipeline_config/config.json",
      "paths:",
      "  # where the deployed code lives here",
      "  dockers/tabular_example: src",
      "nodes:",
      "  # the training data, from last week's Cradle job",
      "  CradleDataLoading_training:",
      "    outputs:",
      "      DATA: data/training/data # parquet would work too",
      "",
    ].join("\n");
    writeFileSync(path.join(dir, "dagtest.yaml"), handWritten);
    const factory = await createTestingFactory({ project: dir, python: testPython() });
    factory.configureScriptTesting("CradleDataLoading_calibration", {
      outputs: { DATA: "data/calibration/data" },
    });
    factory.save();
    expect(readFileSync(path.join(dir, "dagtest.yaml"), "utf8")).toBe(
      `${handWritten}  CradleDataLoading_calibration:\n    outputs:\n      DATA: data/calibration/data\n`,
    );
  });
});

describe("running from the factory", () => {
  it("refuses with the list of what is missing, then runs once configured", async () => {
    const factory = await exampleFactory(exampleCopy());
    const refused = await factory.executeDagGuidedTesting().then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(DagtestError);
    const error = refused as DagtestError;
    expect(error.code).toBe("DAGTEST_NOT_CONFIGURED");
    expect(error.message).toContain("answer at nodes.CradleDataLoading_training.outputs.DATA");
    expect(error.message).toContain("answer at nodes.CradleDataLoading_calibration.outputs.DATA");

    supplyCradleData(factory);
    const { results, factory: summary } = await factory.executeDagGuidedTesting();
    expect(results.pipelineSuccess, results.errors.join("\n")).toBe(true);
    expect(results.summary).toMatchObject({ total: 11, passed: 8, failed: 0, skipped: 3 });
    expect(summary.readyForTesting).toBe(true);
    expect(summary.counts).toMatchObject({ complete: 2, "auto-configured": 6, pending: 0 });
  });

  it("compileDagToScriptExecution hands back the plan, ready to execute", async () => {
    const factory = await exampleFactory(exampleCopy());
    supplyCradleData(factory);
    const compiled = factory.compileDagToScriptExecution();
    expect(compiled.plan.summary.ready).toBe(true);
    const result = await compiled.execute({ concurrency: 2 });
    expect(result.pipelineSuccess, result.errors.join("\n")).toBe(true);
    expect(result.executionOrder.filter((n) => SCRIPTS.includes(n))).toHaveLength(8);
    // as `dagtest run`, the run folder holds its report.html, the run inlined
    const report = readFileSync(path.join(result.runDir, "report.html"), "utf8");
    expect(report).toContain("TabularPreprocessing_training");
  });

  it("previews each node's script with a confidence", async () => {
    const exact = (await exampleFactory(exampleCopy())).previewScriptResolution();
    expect(exact.find((p) => p.node === "SklearnTraining")).toMatchObject({
      rule: "path-remap",
      confidence: 1,
    });
    expect(exact.find((p) => p.node === "Registration")).toMatchObject({
      scriptPath: null,
      rule: "phantom",
      confidence: 0,
    });
    // Without the remap, scripts are found by searching --scripts: a lower confidence.
    const searched = (
      await exampleFactory(exampleCopy(), { paths: {}, scripts: ["src"] })
    ).previewScriptResolution();
    const sklearn = searched.find((p) => p.node === "SklearnTraining")!;
    expect(sklearn.rule).toBe("search-fallback");
    expect(sklearn.confidence).toBeGreaterThan(0);
    expect(sklearn.confidence).toBeLessThan(1);
  });
});

const present = existsSync(cursusRoot);
if (!present) console.warn("../shared/cursus not found: skipping the factory test on a real cursus pipeline");

describe.skipIf(!present)(
  "createTestingFactory on a real cursus pipeline (xgboost/complete_e2e, atoz_xgboost)",
  () => {
    interface RawConfig {
      configuration: { shared: Record<string, unknown>; specific: Record<string, Record<string, unknown>> };
    }
    const configFile = path.join(cursusRoot, "projects/atoz_xgboost/pipeline_config/config.json");

    /** Stand-in scripts where `paths:` sends the config's source dirs; returns the remaps. */
    function standIns(dir: string): Record<string, string> {
      const { shared, specific } = (JSON.parse(readFileSync(configFile, "utf8")) as RawConfig).configuration;
      const sourceDir = String(shared.source_dir);
      const local = path.join(dir, "code");
      const paths: Record<string, string> = { [sourceDir]: local };
      for (const entry of Object.values(specific)) {
        const effective = entry.effective_source_dir;
        // Absolute dirs of the machine that made the config end with the same source dir.
        if (typeof effective === "string" && path.isAbsolute(effective) && effective.endsWith(sourceDir))
          paths[effective] = local;
        const script = entry.processing_entry_point ?? entry.training_entry_point;
        if (typeof script !== "string") continue;
        const dirField = entry.processing_source_dir ?? entry.training_source_dir ?? sourceDir;
        const rel = path.relative(sourceDir, String(dirField).replace(/^.*?(?=dockers\/)/, ""));
        writeTree(local, { [path.join(rel, script)]: conformingScript() });
      }
      return paths;
    }

    async function cursusFactory(): Promise<TestingFactory> {
      const dir = tempDir();
      return createTestingFactory({
        project: dir,
        dag: path.join(cursusRoot, "src/cursus/pipeline_catalog/shared_dags/xgboost/complete_e2e.dag.json"),
        config: configFile,
        interfaces: [path.join(cursusRoot, "src/cursus/steps/interfaces")],
        paths: standIns(dir),
        python: testPython(),
      });
    }

    it("asks only for the Cradle phantom outputs feeding TabularPreprocessing", async () => {
      const factory = await cursusFactory();
      expect(factory.getSkippedNodes().map((s) => s.node)).toEqual(PHANTOMS);
      for (const p of factory.previewScriptResolution().filter((p) => p.rule !== "phantom"))
        expect(p, p.node).toMatchObject({ rule: "path-remap", confidence: 1 });
      const missing = factory
        .getScriptsRequiringTesting()
        .flatMap((s) => factory.getScriptTestingRequirements(s).missing.map((m) => ({ script: s, ...m })));
      expect(missing.map((m) => [m.script, m.field, m.answerAt])).toEqual([
        ["TabularPreprocessing_training", "inputs.DATA", "nodes.CradleDataLoading_training.outputs.DATA"],
        [
          "TabularPreprocessing_calibration",
          "inputs.DATA",
          "nodes.CradleDataLoading_calibration.outputs.DATA",
        ],
      ]);
      expect(factory.getPendingScriptConfigurations()).toEqual([
        "TabularPreprocessing_training",
        "TabularPreprocessing_calibration",
      ]);
      // What `dagtest init` would ask, the optional phantom outputs included: Cradle data only.
      for (const q of wizardQuestions(factory)) {
        expect(q.node, q.key).toMatch(/^CradleDataLoading_/);
        expect(q.section).toBe("outputs");
        for (const consumer of q.feeds) expect(consumer).toMatch(/^TabularPreprocessing_/);
      }
    });

    it("pre-fills env values with the config field each comes from", async () => {
      const factory = await cursusFactory();
      const { shared, specific } = (JSON.parse(readFileSync(configFile, "utf8")) as RawConfig).configuration;
      const env = (node: string, name: string) =>
        factory.getScriptTestingRequirements(node).env.find((e) => e.name === name);
      expect(env("TabularPreprocessing_training", "LABEL_FIELD")).toMatchObject({
        defaultValue: specific.TabularPreprocessing_training?.label_name,
        source: "config",
        configField: "label_name",
      });
      expect(env("ModelCalibration_calibration", "LABEL_FIELD")).toMatchObject({
        source: "config",
        configField: "label_field",
      });
      expect(env("XGBoostModelEval_calibration", "ID_FIELD")).toMatchObject({
        source: "config",
        configField: "id_name",
      });
      let fromConfig = 0;
      for (const script of factory.getScriptsRequiringTesting()) {
        for (const e of factory.getScriptTestingRequirements(script).env) {
          expect(e.needsUser, `${script} ${e.name}`).toBe(false);
          expect(e.source, `${script} ${e.name}`).not.toBe("none");
          if (e.source !== "config") continue;
          fromConfig++;
          // The named field really is in the node's config entry (or the shared part).
          expect({ ...shared, ...specific[script] }, `${script} ${e.name}`).toHaveProperty([e.configField!]);
        }
      }
      expect(fromConfig).toBeGreaterThan(20);
    });
  },
);
