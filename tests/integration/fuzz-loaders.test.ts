/**
 * Fuzzing the loaders: thousands of mutated dagtest.yaml, cursus DAG and pipeline config
 * documents (values replaced, removed, added or re-typed in the parsed tree, and bytes changed
 * in the text) go through `plan` as the CLI runs it. Every outcome must be a plan or a
 * DagtestError with a stable code: never anything else, which the CLI reports as an internal
 * error (exit 70). fast-check shrinks a failure to a small document.
 *
 * The bulk runs without a Python interpreter (the static check then fails as a plan problem, in
 * about a millisecond); a smaller share runs with the real one, so the script checks see
 * mutated plans too. The count tried is printed at the end.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
// YAML round-trips through the same library the loaders use.
import { parse as parseYamlLike, stringify as toYaml } from "yaml";
import { loadDirectProject, loadSpecProject } from "../../src/config/project.js";
import { DagtestError, ERROR_CODES } from "../../src/errors.js";
import type { Plan } from "../../src/model/plan.js";
import { planProject } from "../../src/plan/build.js";
import { removeTempDirs, repoRoot, tempDir, testPython } from "../helpers/paths.js";

/** Per document kind (a tenth of it with Python): about 3,000 documents, 30 s. DAGTEST_FUZZ_RUNS for more. */
const RUNS = Number(process.env.DAGTEST_FUZZ_RUNS ?? 750);
const tried = { spec: 0, dag: 0, config: 0 };

afterAll(() => {
  const total = tried.spec + tried.dag + tried.config;
  console.log(
    `fuzz-loaders: ${total} documents tried (dagtest.yaml ${tried.spec}, DAG ${tried.dag}, config ${tried.config})`,
  );
  removeTempDirs();
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A copy of the bundled example, nested so that `..` and `../..` stay inside the test's own folder. */
function exampleCopy(): string {
  const dir = path.join(tempDir(), "a", "b", "project");
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(repoRoot, "examples/tabular"), dir, {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}.dagtest`),
  });
  return dir;
}

const project = exampleCopy();
const seeds = {
  spec: readFileSync(path.join(project, "dagtest.yaml"), "utf8"),
  dag: readFileSync(path.join(project, "pipeline.dag.json"), "utf8"),
  config: readFileSync(path.join(project, "pipeline_config/config.json"), "utf8"),
};
const plainSpec = [
  "version: 1",
  "pipeline:",
  "  nodes:",
  "    prep: {script: src/scripts/tabular_preprocessing.py, inputs: {DATA: {required: true}}, outputs: [processed_data]}",
  "    pack: {script: src/scripts/package.py, inputs: [processed_data], outputs: [packaged_model], env: {X: 1}}",
  "  edges: [[prep, pack]]",
  "nodes:",
  "  prep: {inputs: {DATA: data/training/data}, timeout: 5}",
  "run: {timeout: 10, cache: {enabled: true, max_mb: 5}}",
  "",
].join("\n");

/** Values a hostile or careless user writes. */
const odd = fc.constantFrom<Json>(
  null,
  "",
  ".",
  "..",
  "../..",
  "/dev/null",
  "/nonexistent/file.json",
  "a/b",
  "..\\x",
  "\u0000",
  "NaN",
  "-1",
  "~",
  "null",
  "$HOME/x",
  "x".repeat(5000),
  -1,
  0,
  1e308,
  -0,
  true,
  [],
  {},
  [[]],
  { __type_info__: "x", value: { __type_info__: "y", value: 1 } },
);
const value: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: odd },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

/** Every path into a JSON tree, shallowest first (the root, then its keys, ...). */
function paths(root: Json): (string | number)[][] {
  const out: (string | number)[][] = [];
  const queue: [Json, (string | number)[]][] = [[root, []]];
  for (let i = 0; i < queue.length; i++) {
    const [node, at] = queue[i]!;
    out.push(at);
    if (Array.isArray(node)) for (const [k, v] of node.entries()) queue.push([v, [...at, k]]);
    else if (node && typeof node === "object")
      for (const [k, v] of Object.entries(node)) queue.push([v, [...at, k]]);
  }
  return out;
}

/** Half the edits hit one of the shallowest values, where a document's shape is decided. */
const pick = fc.oneof(fc.nat({ max: 12 }), fc.nat());

type Edit =
  | { op: "set"; pick: number; value: Json }
  | { op: "delete"; pick: number }
  | { op: "add"; pick: number; key: string; value: Json }
  | { op: "wrap"; pick: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constant("set" as const), pick, value }),
  fc.record({ op: fc.constant("delete" as const), pick }),
  fc.record({
    op: fc.constant("add" as const),
    pick,
    key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("nodes", "edges", "dag", "version", "env")),
    value,
  }),
  fc.record({ op: fc.constant("wrap" as const), pick }),
);

/** Apply edits to a parsed document (a structured mutation keeps most of it meaningful). */
function mutateTree(text: string, edits: readonly Edit[], yaml: boolean): string {
  let root = (yaml ? parseYamlLike(text) : JSON.parse(text)) as Json;
  for (const e of edits) {
    const all = paths(root);
    const at = all[e.pick % all.length]!;
    const parent = at.length === 0 ? null : (get(root, at.slice(0, -1)) as Record<string, Json> | Json[]);
    const key = at.at(-1);
    const current = get(root, at);
    if (e.op === "set" || e.op === "wrap") {
      const next = e.op === "set" ? e.value : [current];
      if (parent === null) root = next;
      else (parent as Record<string | number, Json>)[key!] = next;
    } else if (e.op === "delete" && parent !== null) {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key as string];
    } else if (e.op === "add" && current && typeof current === "object") {
      if (Array.isArray(current)) current.push(e.value);
      else current[e.key] = e.value;
    }
  }
  return yaml ? toYaml(root) : JSON.stringify(root, null, 1);
}

function get(root: Json, at: readonly (string | number)[]): Json {
  let node = root;
  for (const k of at) node = (node as Record<string | number, Json>)[k]!;
  return node;
}

/** Byte-level damage: characters replaced, removed or inserted anywhere in the text. */
const textEdits = fc.array(
  fc.record({ at: fc.nat(), remove: fc.nat({ max: 8 }), insert: fc.string({ maxLength: 6 }) }),
  { minLength: 1, maxLength: 4 },
);

function damageText(text: string, edits: readonly { at: number; remove: number; insert: string }[]): string {
  let out = text;
  for (const e of edits) {
    const at = e.at % (out.length + 1);
    out = out.slice(0, at) + e.insert + out.slice(at + e.remove);
  }
  return out;
}

const mutation = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("tree" as const),
      edits: fc.array(edit, { minLength: 1, maxLength: 5 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("text" as const), edits: textEdits }) },
);

type Mutation =
  | { kind: "tree"; edits: Edit[] }
  | { kind: "text"; edits: { at: number; remove: number; insert: string }[] };

function mutate(text: string, m: Mutation, yaml: boolean): string {
  return m.kind === "tree" ? mutateTree(text, m.edits, yaml) : damageText(text, m.edits);
}

/** A plan, or a coded DagtestError; anything else fails the property with the document. */
async function planOrCodedError(load: () => ReturnType<typeof loadSpecProject>): Promise<void> {
  let plan: Plan;
  try {
    plan = await planProject(load());
  } catch (error) {
    if (error instanceof DagtestError && error.code in ERROR_CODES && error.hint) return;
    throw error;
  }
  expect(plan.planVersion).toBe(1);
  expect(Array.isArray(plan.nodes)).toBe(true);
}

const NO_PYTHON = path.join(project, "no-such-python");

describe("fuzz: every mutated document gives a plan or a coded error", () => {
  it.each([
    ["the bundled dagtest.yaml", "spec", false],
    ["a plain-pipeline dagtest.yaml", "plain", false],
    ["dagtest.yaml, with Python", "spec", true],
  ] as const)(
    "%s",
    async (_what, which, withPython) => {
      const seed = which === "spec" ? seeds.spec : plainSpec;
      const file = path.join(project, `fuzz-${which}-${withPython}.yaml`);
      await fc.assert(
        fc.asyncProperty(mutation, async (m) => {
          tried.spec++;
          writeFileSync(file, mutate(seed, m as Mutation, true));
          await planOrCodedError(() =>
            loadSpecProject(file, { python: withPython ? testPython() : NO_PYTHON }),
          );
        }),
        { numRuns: withPython ? Math.ceil(RUNS / 10) : RUNS, seed: 20261201 },
      );
    },
    600_000,
  );

  it.each([
    ["the cursus DAG", "dag"],
    ["the pipeline config", "config"],
  ] as const)(
    "%s",
    async (_what, which) => {
      const dag = path.join(project, `fuzz-${which}.dag.json`);
      const config = path.join(project, `fuzz-${which}.config.json`);
      writeFileSync(dag, seeds.dag);
      writeFileSync(config, seeds.config);
      await fc.assert(
        fc.asyncProperty(mutation, async (m) => {
          tried[which]++;
          writeFileSync(which === "dag" ? dag : config, mutate(seeds[which], m as Mutation, false));
          await planOrCodedError(() =>
            loadDirectProject({
              dag,
              config,
              interfaces: [path.join(project, "interfaces")],
              projectRoot: project,
              scripts: [path.join(project, "src")],
              python: NO_PYTHON,
              cwd: project,
            }),
          );
        }),
        { numRuns: RUNS, seed: 20261201 },
      );
    },
    600_000,
  );
});
