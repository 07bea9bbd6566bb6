/**
 * A throwaway plain pipeline (dagtest.yaml + scripts in a temp folder), planned and run through
 * a real executor with real Python. Scripts are given as the body of `main`.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { loadSpecProject } from "../../src/config/project.js";
import { runPlan } from "../../src/engine/run.js";
import type { Executor } from "../../src/exec/types.js";
import type { RunEvent } from "../../src/model/events.js";
import type { Plan } from "../../src/model/plan.js";
import type { RunResult } from "../../src/model/run.js";
import { planProject } from "../../src/plan/build.js";
import { tempDir, testPython, writeTree } from "./paths.js";

export interface RigNode {
  /** Python source of the whole script; use `script()` to wrap a main body. */
  readonly source: string;
  readonly inputs?: readonly string[];
  readonly outputs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly timeout?: number;
  readonly memoryMb?: number;
  readonly isolation?: "fork" | "process";
  /** More of the node's dagtest.yaml settings (e.g. `resources` for a Ray task). */
  readonly settings?: Readonly<Record<string, unknown>>;
}

export interface RigSpec {
  readonly nodes: Readonly<Record<string, RigNode>>;
  readonly edges?: readonly (readonly [string, string])[];
  /** User data for source inputs: node → port → files (relative path → text). */
  readonly data?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, string>>>>>>;
  readonly run?: Readonly<Record<string, unknown>>;
}

/** A script whose main is `body` (indented for you), with the usual imports. */
export function script(body: string, header = ""): string {
  const indented = body
    .trim()
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
  return `import os, sys, time, json\n${header}\n\ndef main(input_paths, output_paths, environ_vars, job_args):\n${indented}\n`;
}

/** Writes `text` to `<output>/<file>`: the body of a well-behaved producer. */
export function writeOutput(port: string, file = "part.csv", text = "a,b\\n1,2\\n"): string {
  return `os.makedirs(output_paths["${port}"], exist_ok=True)\nopen(os.path.join(output_paths["${port}"], "${file}"), "w").write("${text}")`;
}

/** A prep → train → report chain, where report writes a summary from train's `model` output. */
export function prepTrainReport(
  prep: RigNode,
  train: RigNode,
  rest: Omit<RigSpec, "nodes" | "edges"> = {},
): RigSpec & {
  readonly nodes: { readonly prep: RigNode; readonly train: RigNode; readonly report: RigNode };
} {
  return {
    ...rest,
    nodes: {
      prep,
      train,
      report: { source: script(writeOutput("summary")), inputs: ["model"], outputs: ["summary"] },
    },
    edges: [
      ["prep", "train"],
      ["train", "report"],
    ],
  };
}

export interface RigRun {
  readonly dir: string;
  readonly plan: Plan;
  readonly result: RunResult;
  readonly events: RunEvent[];
}

export function makeProject(spec: RigSpec): string {
  const dir = tempDir();
  const nodes: Record<string, unknown> = {};
  const settings: Record<string, unknown> = {};
  for (const [name, node] of Object.entries(spec.nodes)) {
    writeTree(dir, { [`scripts/${name}.py`]: node.source });
    nodes[name] = {
      script: `scripts/${name}.py`,
      inputs: node.inputs ?? [],
      outputs: node.outputs ?? [],
      ...(node.env ? { env: node.env } : {}),
    };
    const extra: Record<string, unknown> = {};
    if (node.timeout) extra.timeout = node.timeout;
    if (node.memoryMb) extra.memory_mb = node.memoryMb;
    if (node.isolation) extra.isolation = node.isolation;
    Object.assign(extra, node.settings ?? {});
    const data = spec.data?.[name];
    if (data) {
      extra.inputs = Object.fromEntries(Object.keys(data).map((port) => [port, `data/${name}/${port}`]));
      for (const [port, files] of Object.entries(data)) {
        writeTree(
          dir,
          Object.fromEntries(Object.entries(files).map(([f, t]) => [`data/${name}/${port}/${f}`, t])),
        );
      }
    }
    if (Object.keys(extra).length > 0) settings[name] = extra;
  }
  const doc = {
    version: 1,
    python: testPython(),
    pipeline: { nodes, edges: spec.edges ?? [] },
    ...(Object.keys(settings).length > 0 ? { nodes: settings } : {}),
    ...(spec.run ? { run: spec.run } : {}),
  };
  writeFileSync(path.join(dir, "dagtest.yaml"), stringify(doc));
  return dir;
}

export interface RigOptions {
  readonly concurrency?: number;
  readonly failFast?: boolean;
  readonly signal?: AbortSignal;
  readonly onEvent?: (e: RunEvent) => void;
}

export async function runRig(spec: RigSpec, executor: Executor, options: RigOptions = {}): Promise<RigRun> {
  return runProject(makeProject(spec), executor, options);
}

/** Plan and run a project made by `makeProject` (again, e.g. after editing a script). */
export async function runProject(dir: string, executor: Executor, options: RigOptions = {}): Promise<RigRun> {
  const plan = await planProject(loadSpecProject(path.join(dir, "dagtest.yaml")));
  const events: RunEvent[] = [];
  const result = await runPlan(plan, {
    executor,
    stateDir: dir,
    python: testPython(),
    concurrency: options.concurrency ?? 2,
    failFast: options.failFast ?? false,
    ...(options.signal ? { signal: options.signal } : {}),
    reporters: [
      {
        onEvent: (e) => {
          events.push(e);
          options.onEvent?.(e);
        },
      },
    ],
  });
  return { dir, plan, result, events };
}
