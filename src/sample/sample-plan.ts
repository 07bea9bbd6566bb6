/**
 * `--sample N`: every user-supplied dataset (a phantom's outputs, `nodes.<n>.inputs`) is cut to N
 * rows in a copy under `.dagtest/samples/<key>/`, and the plan is pointed at the copies. The key
 * covers the source's files (path, size, mtime), N, the seed and the label, so an unchanged
 * dataset is sampled once. The user's files are only read.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { InputProvision, Plan, PlanNode, SampledDataset, ScriptNode } from "../model/plan.js";
import { listFiles } from "../util/files.js";
import { sampleDataset } from "./dataset.js";

export interface SampleOptions {
  readonly baseDir: string;
  readonly python: string;
  readonly sample: number | null;
  readonly sampleSeed: number;
}

const SAMPLE_VERSION = 1;

export function sampleUserData(plan: Plan, options: SampleOptions): Plan {
  const rows = options.sample!;
  const copies = new Map<string, SampledDataset>();
  const copy = (source: string, label: string | null, signature: readonly string[] | null): string => {
    const known = copies.get(source);
    if (known) return known.copy;
    const made = sampleOne(source, label, signature, rows, options);
    copies.set(source, made);
    return made.copy;
  };
  const nodes: PlanNode[] = plan.nodes.map((node) => {
    if (node.kind === "phantom") {
      const supplied: Record<string, string | null> = {};
      for (const [port, p] of Object.entries(node.suppliedOutputs)) {
        supplied[port] =
          p && existsSync(p)
            ? copy(p, labelFor(plan, node.name, port), signatureOf(node.suppliedOutputs))
            : p;
      }
      return { ...node, suppliedOutputs: supplied };
    }
    const inputs = node.inputs.map((input) => {
      const p = input.provision;
      if (p.kind !== "user" || !existsSync(p.path)) return input;
      const provision: InputProvision = { kind: "user", path: copy(p.path, labelOfNode(node), null) };
      return { ...input, provision };
    });
    return { ...node, inputs };
  });
  return { ...plan, nodes, sampling: { rows, seed: options.sampleSeed, datasets: [...copies.values()] } };
}

function sampleOne(
  source: string,
  label: string | null,
  signature: readonly string[] | null,
  rows: number,
  options: SampleOptions,
): SampledDataset {
  const files = listFiles(source);
  const key = createHash("sha256")
    .update(JSON.stringify({ v: SAMPLE_VERSION, source, rows, seed: options.sampleSeed, label, signature }))
    .update(JSON.stringify(files.map((f) => [f, statSync(f).size, statSync(f).mtimeMs])))
    .digest("hex")
    .slice(0, 24);
  const dir = path.join(options.baseDir, ".dagtest", "samples", key);
  const target = path.join(dir, "data");
  const copyPath = statSync(source).isFile() ? path.join(target, path.basename(source)) : target;
  const record = path.join(dir, "sample.json");
  if (existsSync(record)) return JSON.parse(readFileSync(record, "utf8")) as SampledDataset;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    const counts = sampleDataset(source, files, path.join(tmp, "data"), {
      rows,
      seed: options.sampleSeed,
      label,
      signature,
      python: options.python,
    });
    const made: SampledDataset = { source, copy: copyPath, stratifiedBy: label, files: counts };
    writeFileSync(path.join(tmp, "sample.json"), `${JSON.stringify(made, null, 2)}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    return made;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The label the consumers of a phantom's output read (their LABEL_FIELD). */
function labelFor(plan: Plan, node: string, port: string): string | null {
  for (const wire of plan.wires) {
    if (wire.from.node !== node || wire.from.port !== port) continue;
    const consumer = plan.nodes.find((n) => n.name === wire.to.node);
    const label = consumer?.kind === "script" ? labelOfNode(consumer) : null;
    if (label) return label;
  }
  return null;
}

function labelOfNode(node: ScriptNode): string | null {
  return node.env.find((e) => e.name === "LABEL_FIELD")?.value || null;
}

/** The column names a phantom's SIGNATURE output holds (for headerless shards), or null. */
function signatureOf(supplied: Readonly<Record<string, string | null>>): string[] | null {
  const at = supplied.SIGNATURE;
  if (!at || !existsSync(at)) return null;
  const file = listFiles(at)[0];
  if (!file) return null;
  const text = readFileSync(file, "utf8").trim();
  return text ? text.split(",").map((c) => c.trim()) : null;
}
