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

/**
 * What wiring one consumer decided, by position: which producer (the first of its node in the
 * list), which output port, and the unfed inputs. It depends only on the consumer's inputs and,
 * per producer, its step type, its outputs and which producers are the same node, so consumers
 * of one step type fed by the same kinds of producers share it.
 */
interface Decision {
  readonly wires: readonly {
    readonly producer: number;
    readonly port: string;
    readonly input: string;
    readonly score: number;
    readonly reasons: readonly string[];
  }[];
  readonly unfed: readonly {
    readonly input: number;
    readonly nearest: { readonly producer: number; readonly port: string; readonly score: number } | null;
  }[];
}

const decisions = new WeakMap<readonly InterfaceInput[], Map<string, Decision>>();
const outputListIds = new WeakMap<readonly InterfaceOutput[], number>();

let nextOutputListId = 0;

function outputListId(outputs: readonly InterfaceOutput[]): number {
  let id = outputListIds.get(outputs);
  if (id === undefined) {
    id = nextOutputListId++;
    outputListIds.set(outputs, id);
  }
  return id;
}

/** The producers as far as the decision depends on them (exactly: JSON-escaped step types). */
function producerSignature(producers: readonly Producer[]): string {
  // A node listed twice (a repeated edge) is one producer whose outputs feed one input each.
  const firstOf = producers.length > 16 ? new Map<string, number>() : null;
  let signature = "";
  producers.forEach((p, i) => {
    let first: number;
    if (firstOf) {
      first = firstOf.get(p.node) ?? i;
      if (first === i) firstOf.set(p.node, i);
    } else first = producers.findIndex((q) => q.node === p.node);
    signature += `${JSON.stringify(p.stepType)}:${outputListId(p.outputs)}:${first === i ? "" : first},`;
  });
  return signature;
}

/** Wire one consumer: each input to at most one upstream output, as cursus does. */
export function wireConsumer(
  consumer: string,
  inputs: readonly InterfaceInput[],
  producers: readonly Producer[],
): WiringResult {
  let byProducers = decisions.get(inputs);
  if (!byProducers) {
    byProducers = new Map();
    decisions.set(inputs, byProducers);
  }
  const signature = producerSignature(producers);
  const known = byProducers.get(signature);
  if (known) return replay(known, consumer, inputs, producers);
  const result = decide(consumer, inputs, producers);
  byProducers.set(signature, record(result, inputs, producers));
  return result;
}

function record(
  result: WiringResult,
  inputs: readonly InterfaceInput[],
  producers: readonly Producer[],
): Decision {
  const at = (node: string) => producers.findIndex((p) => p.node === node);
  return {
    wires: result.wires.map((w) => ({
      producer: at(w.from.node),
      port: w.from.port,
      input: w.to.port,
      score: w.score ?? 0,
      reasons: w.reasons,
    })),
    unfed: result.unfed.map((u) => ({
      input: inputs.indexOf(u.input),
      nearest: u.nearest && {
        producer: at(u.nearest.from.node),
        port: u.nearest.from.port,
        score: u.nearest.score,
      },
    })),
  };
}

function replay(
  decision: Decision,
  consumer: string,
  inputs: readonly InterfaceInput[],
  producers: readonly Producer[],
): WiringResult {
  return {
    wires: decision.wires.map((w) => ({
      from: { node: producers[w.producer]!.node, port: w.port },
      to: { node: consumer, port: w.input },
      score: w.score,
      rule: "scored" as const,
      reasons: w.reasons,
      viaPhantom: producers[w.producer]!.phantom,
      intoPhantom: false,
    })),
    unfed: decision.unfed.map((u) => ({
      input: inputs[u.input]!,
      nearest: u.nearest && {
        from: { node: producers[u.nearest.producer]!.node, port: u.nearest.port },
        score: u.nearest.score,
      },
    })),
  };
}

function decide(
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
