/**
 * Real cursus Payload writes to output_paths["output_dir"] while its interface declares
 * `payload_sample`: the plan binds the undeclared key to the one unread declared port, warns,
 * and the data still flows downstream without editing the script.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ColdExecutor } from "../../src/exec/cold.js";
import { removeTempDirs } from "../helpers/paths.js";
import { runRig, script } from "../helpers/run-rig.js";

describe("port aliases for keys the interface does not declare", () => {
  const executor = new ColdExecutor();
  afterAll(async () => {
    await executor.close();
    removeTempDirs();
  });

  it("binds output_paths['output_dir'] to the only declared output and passes the data on", async () => {
    const writer = script(
      'out = output_paths["output_dir"]\nos.makedirs(out, exist_ok=True)\nopen(os.path.join(out, "sample.csv"), "w").write("x\\n1\\n")',
    );
    const reader = script(
      'rows = open(os.path.join(input_paths["payload_sample"], "sample.csv")).read()\nassert rows == "x\\n1\\n", rows\nos.makedirs(output_paths["done"], exist_ok=True)\nopen(os.path.join(output_paths["done"], "ok"), "w").write("ok")',
    );
    const run = await runRig(
      {
        nodes: {
          payload: { source: writer, outputs: ["payload_sample"] },
          consumer: { source: reader, inputs: ["payload_sample"], outputs: ["done"] },
        },
        edges: [["payload", "consumer"]],
      },
      executor,
    );
    const node = run.plan.nodes.find((n) => n.name === "payload");
    expect(node?.kind === "script" && node.portAliases.outputs).toEqual({ output_dir: "payload_sample" });
    const warning = run.plan.problems.find((p) => p.code === "DAGTEST_UNDECLARED_OUTPUT");
    expect(warning?.message).toContain('the folder of "payload_sample"');
    expect(run.result.scriptResults.payload?.status).toBe("passed");
    expect(run.result.scriptResults.consumer?.status).toBe("passed");
  });

  it("does not guess when more than one declared output is unread", async () => {
    const writer = script('os.makedirs(output_paths["somewhere"], exist_ok=True)');
    const run = await runRig({ nodes: { two: { source: writer, outputs: ["a", "b"] } } }, executor);
    const node = run.plan.nodes.find((n) => n.name === "two");
    expect(node?.kind === "script" && node.portAliases.outputs).toEqual({});
    expect(run.result.scriptResults.two).toMatchObject({ status: "failed", reason: "exception" });
    expect(run.result.scriptResults.two?.message).toContain("KeyError");
  });
});
