import { describe, expect, it } from "vitest";
import { interfaceInput as dep, interfaceOutput as out } from "../../tests/helpers/interfaces.js";
import type { InterfaceInput, InterfaceOutput } from "../model/interface.js";
import { type Producer, wireConsumer } from "./assign.js";
import { scoreCompatibility, WIRE_THRESHOLD } from "./score.js";

function producer(node: string, outputs: InterfaceOutput[], phantom = false): Producer {
  return { node, stepType: node, outputs, phantom };
}

const pairs = (result: ReturnType<typeof wireConsumer>) =>
  result.wires.map((w) => `${w.from.node}.${w.from.port} -> ${w.to.port}`);

const score = (input: InterfaceInput, output: InterfaceOutput, from: string) =>
  scoreCompatibility(input, output, from).score;

describe("wireConsumer", () => {
  it("binds required inputs before optional ones, even when the optional one scores higher", () => {
    const data = out({ name: "data" });
    const optional = dep({ name: "data", required: false });
    const required = dep({ name: "training_set", required: true });
    // The premise: the optional input is the better match, and both are above the threshold.
    expect(score(optional, data, "A")).toBeGreaterThan(score(required, data, "A"));
    expect(score(required, data, "A")).toBeGreaterThan(WIRE_THRESHOLD);
    const result = wireConsumer("C", [optional, required], [producer("A", [data])]);
    expect(pairs(result)).toEqual(["A.data -> training_set"]);
    expect(result.unfed.map((u) => u.input.name)).toEqual(["data"]);
    // The optional input's best candidate was above the threshold; it lost to a required input.
    expect(result.unfed[0]?.nearest).toEqual({
      from: { node: "A", port: "data" },
      score: score(optional, data, "A"),
    });
  });

  it("among inputs of equal standing, the best score binds first", () => {
    const result = wireConsumer(
      "C",
      [dep({ name: "labels" }), dep({ name: "features" })],
      [producer("A", [out({ name: "features" })])],
    );
    expect(pairs(result)).toEqual(["A.features -> features"]);
    expect(result.unfed.map((u) => u.input.name)).toEqual(["labels"]);
  });

  it("uses each upstream output at most once per consumer", () => {
    const result = wireConsumer(
      "C",
      [dep({ name: "data" }), dep({ name: "data_copy" }), dep({ name: "more_data" })],
      [producer("A", [out({ name: "data" })])],
    );
    expect(result.wires).toHaveLength(1);
    expect(result.unfed).toHaveLength(2);
  });

  it("never falls back to the next-best output when the best one already feeds this consumer", () => {
    // cursus production: DATA_SECONDARY's best match is DATA, which DATA already takes; METADATA
    // is above the threshold for it too, but production leaves DATA_SECONDARY unwired.
    const outputs = [out({ name: "DATA" }), out({ name: "METADATA" }), out({ name: "SIGNATURE" })];
    const inputs = [
      dep({ name: "DATA" }),
      dep({ name: "DATA_SECONDARY", required: false }),
      dep({ name: "SIGNATURE", required: false }),
    ];
    expect(score(inputs[1]!, outputs[1]!, "Load")).toBeGreaterThan(WIRE_THRESHOLD);
    expect(score(inputs[1]!, outputs[0]!, "Load")).toBeGreaterThan(score(inputs[1]!, outputs[1]!, "Load"));
    const result = wireConsumer("Pre", inputs, [producer("Load", outputs, true)]);
    expect(pairs(result)).toEqual(["Load.DATA -> DATA", "Load.SIGNATURE -> SIGNATURE"]);
    expect(result.unfed.map((u) => [u.input.name, u.nearest?.from.port])).toEqual([
      ["DATA_SECONDARY", "DATA"],
    ]);
  });

  it("binds each input once, and lets separate outputs feed separate inputs", () => {
    const result = wireConsumer(
      "Join",
      [dep({ name: "left_result" }), dep({ name: "right_result" })],
      [producer("Left", [out({ name: "left_result" })]), producer("Right", [out({ name: "right_result" })])],
    );
    expect(pairs(result)).toEqual(["Left.left_result -> left_result", "Right.right_result -> right_result"]);
    expect(result.wires.every((w) => w.rule === "scored" && (w.score ?? 0) > WIRE_THRESHOLD)).toBe(true);
    expect(result.wires.every((w) => w.to.node === "Join")).toBe(true);
  });

  it("keeps only candidates strictly above the threshold: exactly 0.5 is not enough", () => {
    // same type (+0.4), same data type (+0.2), unrelated names (0), an unlisted provider (-0.1).
    const input = dep({ name: "qqqq", compatibleSources: ["SomethingElse"] });
    const output = out({ name: "zzzz" });
    expect(score(input, output, "A")).toBe(0.5);
    const result = wireConsumer("C", [input], [producer("A", [output])]);
    expect(result.wires).toEqual([]);
    expect(result.unfed).toEqual([{ input, nearest: { from: { node: "A", port: "zzzz" }, score: 0.5 } }]);
  });

  it("never wires incompatible types, and says so with the nearest score 0", () => {
    const model = dep({ name: "model_input", type: "model_artifacts" });
    const result = wireConsumer("C", [model], [producer("A", [out({ name: "model_input" })])]);
    expect(result.wires).toEqual([]);
    expect(result.unfed[0]?.nearest?.score).toBe(0);
  });

  it("reports no nearest candidate when there is no producer", () => {
    const input = dep({ name: "data" });
    expect(wireConsumer("Source", [input], [])).toEqual({ wires: [], unfed: [{ input, nearest: null }] });
  });

  it("breaks score ties by producer order, then output order", () => {
    const input = dep({ name: "data" });
    const twin = () => out({ name: "data" });
    const result = wireConsumer("C", [input], [producer("First", [twin()]), producer("Second", [twin()])]);
    expect(pairs(result)).toEqual(["First.data -> data"]);
  });

  it("marks wires from a phantom producer, and lists wires in input order", () => {
    const result = wireConsumer(
      "C",
      [dep({ name: "SIGNATURE", required: false }), dep({ name: "DATA" })],
      [producer("Cradle", [out({ name: "DATA" }), out({ name: "SIGNATURE" })], true)],
    );
    expect(pairs(result)).toEqual(["Cradle.SIGNATURE -> SIGNATURE", "Cradle.DATA -> DATA"]);
    expect(result.wires.every((w) => w.viaPhantom)).toBe(true);
  });

  it("carries the scoring reasons on every wire", () => {
    const result = wireConsumer("C", [dep({ name: "data" })], [producer("A", [out({ name: "data" })])]);
    expect(result.wires[0]?.reasons).toContain("exact name 'data' (+0.05)");
  });

  it("replays a remembered decision for another consumer with the same kinds of producers", () => {
    const inputs = [
      dep({ name: "SIGNATURE", required: false }),
      dep({ name: "DATA" }),
      dep({ name: "extra" }),
    ];
    const outputs = [out({ name: "DATA" }), out({ name: "SIGNATURE" })];
    const loader = (node: string, phantom: boolean): Producer => ({
      node,
      stepType: "Cradle",
      outputs,
      phantom,
    });
    const first = wireConsumer("C1", inputs, [loader("L1", true), loader("L2", false)]);
    const replayed = wireConsumer("C2", inputs, [loader("L3", false), loader("L4", true)]);
    // What wiring C2 alone gives (fresh lists: nothing remembered applies).
    const fresh = [loader("L3", false), loader("L4", true)].map((p) => ({ ...p, outputs: [...outputs] }));
    expect(replayed).toEqual(wireConsumer("C2", [...inputs], fresh));
    expect(pairs(replayed)).toEqual(pairs(first).map((p) => p.replace("L1", "L3")));
    expect(replayed.wires.map((w) => [w.to.node, w.viaPhantom])).toEqual([
      ["C2", false],
      ["C2", false],
    ]);
    expect(replayed.unfed.map((u) => u.nearest?.from.node)).toEqual(["L3"]);
  });
});
