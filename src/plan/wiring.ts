import type { Project } from "../config/project.js";
import type { InterfaceInput, InterfaceOutput } from "../model/interface.js";
import type {
  InputProvision,
  InputRequirement,
  PortBinding,
  PortRef,
  Problem,
  Question,
  Wire,
} from "../model/plan.js";
import type { MainPaths } from "../model/script-facts.js";
import { appendAll } from "../util/arrays.js";
import { type Producer, wireConsumer } from "../wire/assign.js";
import { WIRE_THRESHOLD } from "../wire/score.js";
import type { NodeContext } from "./analyse.js";
import { bindPort, codeDirPath, inCodeDir } from "./binding.js";
import { localConfigPath, missingConfigPath } from "./config-paths.js";
import { formatEnvValue } from "./env.js";
import { problem } from "./problems.js";

export interface NodeView {
  readonly ctx: NodeContext;
  readonly phantom: boolean;
  /** Set for script nodes. */
  readonly sourceDir: string | null;
  /** What the script's own `__main__` passes to `main`, when the static check could read it. */
  readonly mainPaths: MainPaths | null;
}

export interface WiringOutcome {
  readonly wires: Wire[];
  readonly inputs: Map<string, InputRequirement[]>;
  readonly questions: Question[];
}

export function wireAll(
  project: Project,
  order: readonly string[],
  views: ReadonlyMap<string, NodeView>,
  predecessors: ReadonlyMap<string, readonly string[]>,
  problems: Problem[],
): WiringOutcome {
  const wires: Wire[] = [];
  const inputs = new Map<string, InputRequirement[]>();
  const questions = new QuestionBook();
  for (const name of order) {
    const view = views.get(name)!;
    const iface = view.ctx.iface;
    if (!iface) continue;
    if (view.phantom) {
      appendAll(wires, phantomConsumerWires(name, iface.inputs, views, predecessors));
      continue;
    }
    const provisions = new Map<string, InputProvision>();
    const bindings = sharedBindings(iface.inputs, view.mainPaths?.inputs);
    let openMask = "";
    iface.inputs.forEach((input, i) => {
      const fixed = fixedProvision(project, view, input, bindings[i]!, problems);
      if (fixed) provisions.set(input.name, fixed);
      openMask += fixed ? "0" : "1";
    });
    const open = openInputs(iface.inputs, openMask);
    const overridden = applyOverrides(project, name, open, views, problems);
    appendAll(wires, overridden.wires);
    if (overridden.unwired.size > 0)
      for (const port of overridden.unwired) provisions.set(port, NO_PROVISION);
    const producers = (predecessors.get(name) ?? []).map((p) => producerOf(views.get(p)!));
    const scored = wireConsumer(
      name,
      overridden.handled.size === 0 ? open : open.filter((i) => !overridden.handled.has(i.name)),
      producers,
    );
    appendAll(wires, scored.wires);
    // Indexed loops: a small DAG's planning runs mostly unoptimised, where for-of allocates.
    for (const list of [overridden.wires, scored.wires]) {
      for (let w = 0; w < list.length; w++) {
        const wire = list[w]!;
        provisions.set(wire.to.port, { kind: "wire", from: wire.from });
        const input = iface.inputs.find((i) => i.name === wire.to.port)!;
        if (wire.viaPhantom && input.required && !suppliedOutput(project, wire.from))
          questions.phantomOutput(views, wire);
      }
    }
    for (let u = 0; u < scored.unfed.length; u++) {
      const { input, nearest } = scored.unfed[u]!;
      if (overridden.unwired.has(input.name)) continue;
      provisions.set(input.name, NO_PROVISION);
      if (input.required) questions.input(name, input.name, (predecessors.get(name) ?? []).length, nearest);
    }
    if (overridden.unwired.size > 0) {
      for (const port of overridden.unwired) {
        const input = iface.inputs.find((i) => i.name === port);
        if (input?.required) questions.input(name, port, -1, null);
      }
    }
    inputs.set(
      name,
      iface.inputs.map((input, i) => ({
        name: input.name,
        required: input.required,
        containerPath: input.containerPath,
        type: input.type,
        dataType: input.dataType,
        channels: input.channels,
        provision: provisions.get(input.name) ?? NO_PROVISION,
        binding: bindings[i]!,
      })),
    );
  }
  return { wires, inputs, questions: questions.all() };
}

/** What cursus would wire into a phantom consumer: shown in the plan, never run, no questions. */
function phantomConsumerWires(
  name: string,
  inputs: readonly InterfaceInput[],
  views: ReadonlyMap<string, NodeView>,
  predecessors: ReadonlyMap<string, readonly string[]>,
): Wire[] {
  const producers = (predecessors.get(name) ?? []).map((p) => producerOf(views.get(p)!));
  return wireConsumer(name, inputs, producers).wires.map((wire) => ({
    from: wire.from,
    to: wire.to,
    score: wire.score,
    rule: wire.rule,
    reasons: wire.reasons,
    viaPhantom: wire.viaPhantom,
    intoPhantom: true,
  }));
}

/** An input nothing provides: one record for all. */
const NO_PROVISION: InputProvision = { kind: "none" };
const NO_OUTPUTS: readonly InterfaceOutput[] = [];
const producers = new WeakMap<NodeView, Producer>();

/** A node as the producer its consumers see: one record per node, however many consumers. */
function producerOf(view: NodeView): Producer {
  let producer = producers.get(view);
  if (!producer) {
    producer = {
      node: view.ctx.name,
      stepType: view.ctx.stepType ?? view.ctx.name,
      outputs: view.ctx.iface?.outputs ?? NO_OUTPUTS,
      phantom: view.phantom,
    };
    producers.set(view, producer);
  }
  return producer;
}

const openLists = new WeakMap<readonly InterfaceInput[], Map<string, readonly InterfaceInput[]>>();

/**
 * The inputs left to wire (`mask`: "1" per open input), one list per interface and mask: the
 * wiring of a consumer is remembered by the identity of this list.
 */
function openInputs(inputs: readonly InterfaceInput[], mask: string): readonly InterfaceInput[] {
  let byMask = openLists.get(inputs);
  if (!byMask) {
    byMask = new Map();
    openLists.set(inputs, byMask);
  }
  let open = byMask.get(mask);
  if (!open) {
    open = inputs.filter((_, i) => mask[i] === "1");
    byMask.set(mask, open);
  }
  return open;
}

const bindingLists = new WeakMap<readonly InterfaceInput[], WeakMap<object, readonly PortBinding[]>>();
const NO_MAIN_PATHS: Readonly<Record<string, string>> = {};

/** The binding of each input, by position: one list per (interface, script's `__main__`). */
function sharedBindings(
  inputs: readonly InterfaceInput[],
  mainInputs: Readonly<Record<string, string>> | undefined,
): readonly PortBinding[] {
  let byMain = bindingLists.get(inputs);
  if (!byMain) {
    byMain = new WeakMap();
    bindingLists.set(inputs, byMain);
  }
  const main = mainInputs ?? NO_MAIN_PATHS;
  let list = byMain.get(main);
  if (!list) {
    // By name, as ports are named: a repeated name binds as its last declaration.
    const byName = new Map(inputs.map((i) => [i.name, bindPort(i.containerPath, main[i.name])] as const));
    list = inputs.map((i) => byName.get(i.name)!);
    byMain.set(main, list);
  }
  return list;
}

function suppliedOutput(project: Project, ref: PortRef): string | null {
  return project.nodes[ref.node]?.outputs?.[ref.port] ?? null;
}

/** Provisions that need no wiring: the user's path, `/opt/ml/code` and skipped inputs, config sources. */
function fixedProvision(
  project: Project,
  view: NodeView,
  input: InterfaceInput,
  binding: PortBinding,
  problems: Problem[],
): InputProvision | null {
  const user = view.ctx.settings.inputs?.[input.name];
  if (user) return { kind: "user", path: user };
  if (view.sourceDir && input.containerPath && inCodeDir(input.containerPath, binding))
    return { kind: "code-dir", path: codeDirPath(view.sourceDir, input.containerPath, binding) };
  if (input.skipped && view.sourceDir) return { kind: "code-dir", path: view.sourceDir };
  if (input.configSource) {
    const field = input.configSource.replace(/^get_/, "").replace(/_uri$/, "");
    const config = view.ctx.config?.effective;
    const value = formatEnvValue(config?.[input.configSource] ?? config?.[field]);
    if (value?.startsWith("s3://")) {
      problems.push(
        problem(
          "warning",
          "DAGTEST_REMOTE_INPUT",
          `Input ${input.name} of "${view.ctx.name}" comes from the config as ${value}, which is not local.`,
          {
            node: view.ctx.name,
            hint: `Supply a local copy: nodes.${view.ctx.name}.inputs.${input.name}: <folder> in dagtest.yaml.`,
          },
        ),
      );
      return null;
    }
    if (value !== null) {
      const missing = missingConfigPath(
        project,
        view.ctx.name,
        input.name,
        input.configSource,
        value,
        view.sourceDir,
      );
      if (missing) problems.push(missing);
      return { kind: "config", field: input.configSource, value: localConfigPath(project, value) };
    }
  }
  return null;
}

interface OverrideResult {
  readonly wires: readonly Wire[];
  readonly unwired: ReadonlySet<string>;
  readonly handled: ReadonlySet<string>;
}

/** A consumer no `wires:` entry names (most of them). */
const NO_OVERRIDES: OverrideResult = { wires: [], unwired: new Set(), handled: new Set() };

/** `wires:` entries by consumer node, indexed once per project rather than scanned per node. */
const overrideIndex = new WeakMap<Project, Map<string, Project["wires"][number][]>>();

function overridesOf(project: Project): Map<string, Project["wires"][number][]> {
  let index = overrideIndex.get(project);
  if (!index) {
    index = new Map();
    for (const override of project.wires) {
      const toNode = override.to.split(".")[0]!;
      index.set(toNode, [...(index.get(toNode) ?? []), override]);
    }
    overrideIndex.set(project, index);
  }
  return index;
}

/** `wires:` entries of dagtest.yaml for this consumer: forced wires and deliberately unwired inputs. */
function applyOverrides(
  project: Project,
  consumer: string,
  open: readonly InterfaceInput[],
  views: ReadonlyMap<string, NodeView>,
  problems: Problem[],
): OverrideResult {
  const overrides = overridesOf(project).get(consumer);
  if (!overrides) return NO_OVERRIDES;
  const result = { wires: [] as Wire[], unwired: new Set<string>(), handled: new Set<string>() };
  for (const override of overrides) {
    const toPort = override.to.split(".")[1]!;
    if (!open.some((i) => i.name === toPort)) {
      problems.push(
        problem("error", "DAGTEST_BAD_WIRE", `wires: "${override.to}" names no open input of ${consumer}.`, {
          node: consumer,
          hint: `Inputs: ${open.map((i) => i.name).join(", ") || "(none open)"}.`,
          location: project.specFile ? { file: project.specFile } : null,
        }),
      );
      continue;
    }
    result.handled.add(toPort);
    if (override.from === null) {
      result.unwired.add(toPort);
      continue;
    }
    const [fromNode, fromPort] = override.from.split(".") as [string, string];
    const producer = views.get(fromNode);
    if (!producer?.ctx.iface?.outputs.some((o) => o.name === fromPort)) {
      problems.push(
        problem("error", "DAGTEST_BAD_WIRE", `wires: "${override.from}" names no output of ${fromNode}.`, {
          node: consumer,
          hint: `Outputs: ${producer?.ctx.iface?.outputs.map((o) => o.name).join(", ") || "(none)"}.`,
          location: project.specFile ? { file: project.specFile } : null,
        }),
      );
      continue;
    }
    result.wires.push({
      from: { node: fromNode, port: fromPort },
      to: { node: consumer, port: toPort },
      score: null,
      rule: "override",
      reasons: ["set in dagtest.yaml (wires:)"],
      viaPhantom: producer.phantom,
      intoPhantom: false,
    });
  }
  return result;
}

/** Questions, one per thing to answer, with every consumer that waits on it. */
class QuestionBook {
  readonly #byId = new Map<string, Question & { consumers: PortRef[] }>();

  phantomOutput(views: ReadonlyMap<string, NodeView>, wire: Wire): void {
    const id = `${wire.from.node}.outputs.${wire.from.port}`;
    const existing = this.#byId.get(id);
    if (existing) {
      // Appended in place: a phantom output feeding thousands of consumers stays linear.
      existing.consumers.push(wire.to);
      return;
    }
    const phantom = views.get(wire.from.node)!;
    this.#byId.set(id, {
      id,
      node: wire.from.node,
      kind: "phantom-output",
      name: wire.from.port,
      message: `${wire.from.node} cannot run locally (${phantom.ctx.early?.detail ?? "phantom"}); where is the data of its output ${wire.from.port}?`,
      answerAt: `nodes.${wire.from.node}.outputs.${wire.from.port}`,
      consumers: [wire.to],
    });
  }

  input(node: string, port: string, parents: number, nearest: { from: PortRef; score: number } | null): void {
    const why =
      parents === -1
        ? "dagtest.yaml leaves it unwired"
        : parents === 0
          ? "the node has no upstream node"
          : nearest && nearest.score > WIRE_THRESHOLD
            ? `its best match ${nearest.from.node}.${nearest.from.port} (score ${nearest.score.toFixed(2)}) already feeds another input of ${node}, and an output feeds one input per consumer`
            : nearest
              ? `no upstream output matches it (best: ${nearest.from.node}.${nearest.from.port} at ${nearest.score.toFixed(2)}, not above ${WIRE_THRESHOLD})`
              : "its upstream nodes declare no outputs";
    const id = `${node}.inputs.${port}`;
    this.#byId.set(id, {
      id,
      node,
      kind: "input",
      name: port,
      message: `Required input ${port} of ${node} has no data: ${why}.`,
      answerAt: `nodes.${node}.inputs.${port}`,
      consumers: [{ node, port }],
    });
  }

  all(): Question[] {
    return [...this.#byId.values()];
  }
}
