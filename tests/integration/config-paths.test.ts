/**
 * Config paths that are not source dirs: real configs carry absolute paths of the machine they
 * were written on (`/home/<user>/.../prompt_configs`). Such a path is an error on its node naming
 * the config field, with the local folder of that name as the hint, until `paths:` remaps it.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { conformingScript, removeTempDirs, tempDir, writeTree } from "../helpers/paths.js";
import { inputOf, planSpec } from "../helpers/plan.js";

const WRITTEN = "/home/someone/proj/dockers/scripts/prompt_configs";

function project(): string {
  return writeTree(tempDir(), {
    "dag.json": JSON.stringify({ nodes: ["PromptGen"], edges: [] }),
    "config.json": JSON.stringify({
      metadata: { config_types: { PromptGen: "PromptGenConfig" } },
      configuration: {
        shared: {},
        specific: {
          PromptGen: {
            processing_source_dir: "dockers/scripts",
            processing_entry_point: "prompt_gen.py",
            resolved_prompt_configs_path: WRITTEN,
            prompt_configs_path: "prompt_configs",
          },
        },
      },
    }),
    "interfaces/prompt_gen.step.yaml": `step_type: PromptGen
registry: {sagemaker_step_type: Processing}
contract:
  entry_point: prompt_gen.py
  input_source_overrides: {prompt_configs: resolved_prompt_configs_path}
  inputs:
    prompt_configs: {path: /opt/ml/processing/input/prompt_configs, required: true}
  outputs:
    out: {path: /opt/ml/processing/output}
spec:
  dependencies:
    prompt_configs: {type: processing_output, required: true}
  outputs:
    out: {type: processing_output}
`,
    "src/prompt_gen.py": conformingScript(["prompt_configs"], ["out"]),
    "src/prompt_configs/system.txt": "be brief",
    "dagtest.yaml":
      "version: 1\ndag: dag.json\nconfig: config.json\ninterfaces: [interfaces]\npaths:\n  dockers/scripts: src\n",
  });
}

describe("a config path of another machine", () => {
  afterAll(removeTempDirs);

  it("is an error naming the config field, with the local folder of that name as the hint", async () => {
    const dir = project();
    const plan = await planSpec(dir);
    const problem = plan.problems.find((p) => p.code === "DAGTEST_CONFIG_PATH_MISSING");
    expect(problem).toMatchObject({ severity: "error", node: "PromptGen" });
    expect(problem?.message).toContain(`resolved_prompt_configs_path = ${WRITTEN}`);
    expect(problem?.hint).toContain(path.join(dir, "src/prompt_configs"));
    expect(problem?.hint).toContain('paths: {"/home/someone/proj/dockers/scripts": "src"}');
    expect(plan.summary.ready).toBe(false);
  });

  it("is remapped by paths:, any prefix, and the plan is ready", async () => {
    const dir = project();
    writeFileSync(
      path.join(dir, "dagtest.yaml"),
      'version: 1\ndag: dag.json\nconfig: config.json\ninterfaces: [interfaces]\npaths:\n  dockers/scripts: src\n  "/home/someone/proj/dockers/scripts": src\n',
    );
    const plan = await planSpec(dir);
    expect(plan.problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(inputOf(plan, "PromptGen", "prompt_configs").provision).toEqual({
      kind: "config",
      field: "resolved_prompt_configs_path",
      value: path.join(dir, "src/prompt_configs"),
    });
    expect(plan.summary.ready).toBe(true);
  });
});
