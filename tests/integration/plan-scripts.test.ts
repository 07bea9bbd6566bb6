/**
 * What planning says about the scripts themselves (real Python describe): broken scripts,
 * scripts that disagree with their interface, missing packages, and how each script was found.
 */
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixture, removeTempDirs, tempDir, writeTree } from "../helpers/paths.js";
import { codes, phantomNode, planSpec, scriptNode, wirePairs } from "../helpers/plan.js";

afterAll(removeTempDirs);

const MINI = fixture("cursus-mini");

/** A copy of the linear fixture whose transform.py is `source`. */
function linearWith(source: string): string {
  const dir = tempDir();
  cpSync(fixture("linear"), dir, { recursive: true });
  writeFileSync(path.join(dir, "scripts/transform.py"), source);
  return dir;
}

/** A dagtest.yaml in a fresh folder using the cursus-mini DAG and config; `extra` is appended. */
function miniSpec(extra: string[] = [], interfaces: string[] = [`${MINI}/interfaces`]): string {
  return writeTree(tempDir(), {
    "dagtest.yaml": [
      "version: 1",
      `dag: ${MINI}/pipeline.dag.json`,
      `config: ${MINI}/pipeline_config/config.json`,
      `interfaces: [${interfaces.join(", ")}]`,
      "nodes:",
      "  MiniLoading_training:",
      `    outputs: {DATA: ${MINI}/data/raw, SIGNATURE: ${MINI}/data/signature}`,
      ...extra,
      "",
    ].join("\n"),
  });
}

describe("broken scripts", () => {
  it("a syntax error marks that node with an error; the rest of the plan still comes out", async () => {
    const dir = linearWith("def main(input_paths, output_paths, environ_vars, job_args):\n    x = (\n");
    const plan = await planSpec(dir);
    expect(plan.order).toEqual(["extract", "transform", "load"]);
    const errors = plan.problems.filter((p) => p.severity === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: "DAGTEST_SCRIPT_SYNTAX",
      node: "transform",
      location: { file: path.join(dir, "scripts/transform.py") },
    });
    expect(errors[0]?.location?.line).toBeGreaterThanOrEqual(2);
    expect(scriptNode(plan, "transform").check).toBeNull();
    expect(scriptNode(plan, "load").check?.inputKeys).toEqual(["clean"]);
    expect(wirePairs(plan)).toEqual(["extract.raw -> transform.raw", "transform.clean -> load.clean"]);
    expect(plan.summary).toMatchObject({ errors: 1, ready: false });
  });

  it("main(a, b) is not testable: the node becomes a phantom with reason no-main", async () => {
    const plan = await planSpec(linearWith("def main(a, b):\n    return a\n"));
    const transform = phantomNode(plan, "transform");
    expect(transform.reason).toBe("no-main");
    expect(transform.detail).toContain("main(a, b) takes 2 parameter(s)");
    // Its consumer now waits on data only the user can supply.
    expect(plan.questions.map((q) => q.answerAt)).toEqual(["nodes.transform.outputs.clean"]);
    expect(plan.wires.find((w) => w.to.node === "load")?.viaPhantom).toBe(true);
  });

  it("a script without main is a no-main phantom; main(*args) is accepted", async () => {
    const none = await planSpec(linearWith("def run():\n    pass\n"));
    expect(phantomNode(none, "transform").detail).toBe("the script defines no top-level main()");
    const varargs = await planSpec(linearWith("def main(*args):\n    pass\n"));
    expect(scriptNode(varargs, "transform").kind).toBe("script");
  });
});

describe("script–interface disagreements", () => {
  it("warns, with the script's line, when it reads keys its interface does not declare", async () => {
    const source = [
      "def main(input_paths, output_paths, environ_vars, job_args):",
      '    src = input_paths["raw"]',
      '    rows = input_paths["rows"]',
      '    out = output_paths["cleaned"]',
      "    seed = job_args.seed",
      "",
    ].join("\n");
    const dir = linearWith(source);
    const plan = await planSpec(dir);
    const warnings = plan.problems.filter((p) => p.severity === "warning");
    expect(warnings.map((w) => [w.code, w.location?.line])).toEqual([
      ["DAGTEST_UNDECLARED_INPUT", 3],
      ["DAGTEST_UNDECLARED_OUTPUT", 4],
      ["DAGTEST_MISSING_JOB_ARG", 5],
    ]);
    expect(warnings.every((w) => w.node === "transform")).toBe(true);
    expect(warnings[1]?.message).toContain('output_paths["cleaned"]');
    expect(codes(plan, "error")).toEqual([]);
  });
});

describe("packages", () => {
  it("a required package missing from the interpreter is an error (and an earlier interface root wins)", async () => {
    const shadow = tempDir();
    const original = readFileSync(path.join(MINI, "interfaces/mini_eval.step.yaml"), "utf8");
    writeFileSync(
      path.join(shadow, "mini_eval.step.yaml"),
      original.replace(
        "  framework_requirements:\n",
        "  framework_requirements:\n    dagtest-no-such-package: '>=1.0'\n",
      ),
    );
    const plan = await planSpec(
      miniSpec(["paths:", `  dockers/mini: ${MINI}/src`], [shadow, `${MINI}/interfaces`]),
    );
    const evaluation = scriptNode(plan, "MiniEval_calibration");
    expect(evaluation.interface?.file).toBe(path.join(shadow, "mini_eval.step.yaml"));
    expect(evaluation.parity).toContainEqual({
      package: "dagtest-no-such-package",
      wanted: ">=1.0",
      installed: null,
      satisfied: false,
    });
    const missing = plan.problems.filter((p) => p.code === "DAGTEST_PACKAGE_MISSING");
    expect(missing).toHaveLength(1);
    // The script never imports it: the node still runs, and the plan says so.
    expect(missing[0]).toMatchObject({ severity: "warning", node: "MiniEval_calibration" });
    expect(missing[0]?.message).toContain("dagtest-no-such-package >=1.0");
    expect(missing[0]?.message).toContain("does not import it at module level");
  });
});

describe("finding scripts", () => {
  it("a script found nowhere is a phantom script-not-found listing every path searched", async () => {
    const empty = tempDir();
    const dir = miniSpec([`scripts: [${empty}]`]);
    const plan = await planSpec(dir);
    const prep = phantomNode(plan, "MiniPreprocessing_training");
    expect(prep.reason).toBe("script-not-found");
    expect(prep.detail).toBe("mini_preprocessing.py was not found");
    expect(prep.searched).toEqual([
      path.join(dir, "dockers/mini/scripts/mini_preprocessing.py"),
      path.join(dir, "dockers/mini/mini_preprocessing.py"),
      path.join(empty, "**", "mini_preprocessing.py"),
    ]);
    // A Training script is looked for under source_dir only.
    expect(phantomNode(plan, "MiniTraining").searched).toEqual([
      path.join(dir, "dockers/mini/mini_training.py"),
      path.join(empty, "**", "mini_training.py"),
    ]);
    expect(plan.summary.scripts).toBe(0);
  });

  it("`paths:` remaps the config's source dir (rule path-remap)", async () => {
    const plan = await planSpec(miniSpec(["paths:", `  dockers/mini: ${MINI}/src`]));
    expect(scriptNode(plan, "MiniEval_calibration").script).toEqual({
      path: path.join(MINI, "src/scripts/mini_eval.py"),
      rule: "path-remap",
      sourceDir: path.join(MINI, "src/scripts"),
      searched: [path.join(MINI, "src/scripts/mini_eval.py")],
    });
  });

  it("`--scripts` roots are searched when the config's dirs do not exist (rule search-fallback)", async () => {
    const dir = miniSpec([`scripts: [${MINI}/src]`]);
    const plan = await planSpec(dir);
    const prep = scriptNode(plan, "MiniPreprocessing_training").script;
    expect(prep.rule).toBe("search-fallback");
    expect(prep.path).toBe(path.join(MINI, "src/scripts/mini_preprocessing.py"));
    expect(prep.searched).toEqual([
      path.join(dir, "dockers/mini/scripts/mini_preprocessing.py"),
      path.join(dir, "dockers/mini/mini_preprocessing.py"),
      path.join(MINI, "src", "**", "mini_preprocessing.py"),
    ]);
    expect(scriptNode(plan, "MiniTraining").script.path).toBe(path.join(MINI, "src/mini_training.py"));
  });

  it("several files of that name: the shallowest in the first root wins, with a warning", async () => {
    const main = "def main(a, b, c, d):\n    pass\n";
    const first = writeTree(tempDir(), { "old/archive/mini_eval.py": main, "current/mini_eval.py": main });
    const second = writeTree(tempDir(), { "mini_eval.py": main });
    const plan = await planSpec(miniSpec([`scripts: [${first}, ${second}, ${MINI}/src]`]));
    expect(scriptNode(plan, "MiniEval_calibration").script.path).toBe(
      path.join(first, "current/mini_eval.py"),
    );
    const ambiguous = plan.problems.filter((p) => p.code === "DAGTEST_SCRIPT_AMBIGUOUS");
    expect(ambiguous.map((p) => [p.node, p.severity])).toEqual([["MiniEval_calibration", "warning"]]);
    expect(ambiguous[0]?.message).toContain("found 4 files named mini_eval.py");
  });

  it("source dirs resolve under project_root (rule project-root)", async () => {
    const deployed = tempDir();
    mkdirSync(path.join(deployed, "dockers"));
    symlinkSync(path.join(MINI, "src"), path.join(deployed, "dockers/mini"));
    const plan = await planSpec(miniSpec([`project_root: ${deployed}`]));
    expect(scriptNode(plan, "MiniTraining").script).toMatchObject({
      path: path.join(deployed, "dockers/mini/mini_training.py"),
      rule: "project-root",
    });
  });

  it("an absolute source dir in the config is used as is (rule config-source-dir)", async () => {
    const config = JSON.parse(readFileSync(path.join(MINI, "pipeline_config/config.json"), "utf8")) as {
      configuration: { specific: Record<string, Record<string, unknown>> };
    };
    config.configuration.specific.MiniEval_calibration!.processing_source_dir = path.join(
      MINI,
      "src/scripts",
    );
    const dir = miniSpec();
    writeFileSync(path.join(dir, "config.json"), JSON.stringify(config));
    writeFileSync(
      path.join(dir, "dagtest.yaml"),
      readFileSync(path.join(dir, "dagtest.yaml"), "utf8").replace(/^config: .*$/m, "config: config.json"),
    );
    const plan = await planSpec(dir);
    expect(scriptNode(plan, "MiniEval_calibration").script.rule).toBe("config-source-dir");
  });

  it("nodes.<n>.script overrides discovery; a missing override is an error, not a search", async () => {
    const override = writeTree(tempDir(), { "my_eval.py": "def main(a, b, c, d):\n    pass\n" });
    const found = await planSpec(miniSpec(["  MiniEval_calibration:", `    script: ${override}/my_eval.py`]));
    expect(scriptNode(found, "MiniEval_calibration").script).toMatchObject({
      path: path.join(override, "my_eval.py"),
      rule: "spec-override",
    });
    const missing = await planSpec(
      miniSpec(["  MiniEval_calibration:", `    script: ${override}/nope.py`, `scripts: [${MINI}/src]`]),
    );
    expect(phantomNode(missing, "MiniEval_calibration").reason).toBe("script-not-found");
    expect(missing.problems.find((p) => p.code === "DAGTEST_SCRIPT_NOT_FOUND")?.node).toBe(
      "MiniEval_calibration",
    );
  });

  it("a plain pipeline's missing script is an error naming the path", async () => {
    const dir = tempDir();
    cpSync(fixture("linear"), dir, { recursive: true });
    writeFileSync(
      path.join(dir, "dagtest.yaml"),
      readFileSync(path.join(dir, "dagtest.yaml"), "utf8").replace("scripts/load.py", "scripts/lode.py"),
    );
    const plan = await planSpec(dir);
    expect(phantomNode(plan, "load").reason).toBe("script-not-found");
    const error = plan.problems.find((p) => p.code === "DAGTEST_SCRIPT_NOT_FOUND");
    expect(error?.message).toContain(path.join(dir, "scripts/lode.py"));
  });
});
