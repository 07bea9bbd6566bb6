/**
 * Wiring one consumer exactly as cursus production does (`_propagate_messages`): score every
 * output of every DAG parent against every open input (only along DAG edges, unlike cursus's
 * script tester); each input's best candidate above the threshold is its only candidate (ties go
 * to the earlier parent, then the earlier output); inputs bind in a stable order (required first,
 * then by that score), and an input whose best output already feeds this consumer stays unwired:
 * it never falls back to its next-best output.
 */
import type { InterfaceInput, InterfaceOutput } from "../model/interface.js";
import type { PortRef, Wire } from "../model/plan.js";
import { type Compatibility, scoreCompatibility, WIRE_THRESHOLD } from "./score.js";

export interface Producer {
  readonly node: string;
  readonly stepType: string;
  readonly outputs: readonly InterfaceOutput[];
  readonly phantom: boolean;
}

export interface Unfed {
  readonly input: InterfaceInput;
  /** The best candidate that did not make the threshold, to explain why nothing was wired. */
  readonly nearest: { readonly from: PortRef; readonly score: number } | null;
}

export interface WiringResult {
  readonly wires: Wire[];
  readonly unfed: Unfed[];
}

interface Candidate {
  readonly input: InterfaceInput;
  readonly inputIndex: number;
  readonly producer: Producer;
  readonly producerIndex: number;
  readonly output: InterfaceOutput;
  readonly outputIndex: number;
  readonly score: number;
  readonly reasons: readonly string[];
}

/**
 * Scores by (input, output, producer step type): nodes of one step type share their resolved
 * interface, so a large DAG scores each pair of ports once, not once per edge.
 */
const scores = new WeakMap<InterfaceInput, WeakMap<InterfaceOutput, Map<string, Compatibility>>>();

function scoreOnce(input: InterfaceInput, output: InterfaceOutput, stepType: string): Compatibility {
  let byOutput = scores.get(input);
  if (!byOutput) {
    byOutput = new WeakMap();
    scores.set(input, byOutput);
  }
  let byType = byOutput.get(output);
  if (!byType) {
    byType = new Map();
    byOutput.set(output, byType);
  }
  let score = byType.get(stepType);
  if (!score) {
    score = scoreCompatibility(input, output, stepType);
    byType.set(stepType, score);
  }
  return score;
}

export function wireConsumer(
  consumer: string,
  inputs: readonly InterfaceInput[],
  producers: readonly Producer[],
): WiringResult {
  const viable: Candidate[] = [];
  const nearest = new Map<string, { from: PortRef; score: number }>();
  inputs.forEach((input, inputIndex) => {
    producers.forEach((producer, producerIndex) => {
      producer.outputs.forEach((output, outputIndex) => {
        const { score, reasons } = scoreOnce(input, output, producer.stepType);
        const best = nearest.get(input.name);
        if (!best || score > best.score)
          nearest.set(input.name, { from: { node: producer.node, port: output.name }, score });
        if (score > WIRE_THRESHOLD) {
          viable.push({ input, inputIndex, producer, producerIndex, output, outputIndex, score, reasons });
        }
      });
    });
  });
  const best = new Map<string, Candidate>();
  for (const c of viable) {
    const held = best.get(c.input.name);
    if (!held || c.score > held.score) best.set(c.input.name, c);
  }
  const order = [...best.values()].sort(
    (a, b) =>
      Number(b.input.required) - Number(a.input.required) || b.score - a.score || a.inputIndex - b.inputIndex,
  );
  const bound = new Set<string>();
  const used = new Set<string>();
  const wires: Wire[] = [];
  for (const c of order) {
    const outputKey = `${c.producer.node}\u0000${c.output.name}`;
    if (used.has(outputKey)) continue;
    bound.add(c.input.name);
    used.add(outputKey);
    wires.push({
      from: { node: c.producer.node, port: c.output.name },
      to: { node: consumer, port: c.input.name },
      score: c.score,
      rule: "scored",
      reasons: c.reasons,
      viaPhantom: c.producer.phantom,
      intoPhantom: false,
    });
  }
  const unfed = inputs
    .filter((input) => !bound.has(input.name))
    .map((input) => ({ input, nearest: nearest.get(input.name) ?? null }));
  wires.sort(
    (a, b) => inputs.findIndex((i) => i.name === a.to.port) - inputs.findIndex((i) => i.name === b.to.port),
  );
  return { wires, unfed };
}
