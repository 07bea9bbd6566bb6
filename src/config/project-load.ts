/**
 * Loading everything a plan is made from into one `Project`: from a dagtest.yaml, or directly from
 * command-line paths. All paths become absolute here; nothing after this stage reads the spec.
 * Zod-free: validation uses the schema spec-schema-ref.ts holds (project.ts loads it eagerly).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { DagtestError } from "../errors.js";
import type { PipelineConfig } from "../model/config.js";
import type { Dag } from "../model/dag.js";
import { cacheDir } from "../model/layout.js";
import { DEFAULT_SNAPSHOT_SETTINGS, type SnapshotSettings } from "../model/snapshot.js";
import { didYouMean } from "../util/suggest.js";
import { checkNodeName, dagFromDocument, loadDag } from "./dag.js";
import { type InterfaceRegistry, loadInterfaceRegistry } from "./interfaces.js";
import { withParseCache } from "./parse-cache.js";
import { loadPipelineConfig } from "./pipeline-config.js";
import { SourceDocument } from "./source.js";
import { type LoadedSpec, loadSpec } from "./spec.js";
import type {
  ExecutionSettings,
  NodeSettings,
  PlainNode,
  SnapshotSpec,
  SynthesizeSettings,
  WireOverride,
} from "./spec-schema.js";
import { specSchemaOrThrow } from "./spec-schema-ref.js";

/** A node's settings with every path absolute and every phantom output a path (synthesized ones too). */
export type ProjectNodeSettings = Omit<NodeSettings, "outputs"> & {
  readonly outputs?: Readonly<Record<string, string>>;
};

/** Phantom node → output port → how to synthesize its data (`{synthesize: ...}` in dagtest.yaml). */
export type SynthesisRequests = Readonly<Record<string, Readonly<Record<string, SynthesizeSettings>>>>;

/** Where a synthesized phantom output is written (`.dagtest/synth/<node>/<port>`), known before it exists. */
export function synthesizedOutputPath(baseDir: string, node: string, port: string): string {
  return path.join(baseDir, ".dagtest", "synth", node, port);
}

export interface Project {
  readonly specFile: string | null;
  /** Relative paths given by the user resolve against this folder. */
  readonly baseDir: string;
  readonly dag: Dag;
  readonly config: PipelineConfig | null;
  /** Null for a plain pipeline (ports come from dagtest.yaml, not from interfaces). */
  readonly registry: InterfaceRegistry | null;
  readonly scriptRoots: readonly string[];
  readonly projectRoot: string;
  /** Config source-dir prefix → local folder, longest prefix first. */
  readonly pathMap: readonly (readonly [string, string])[];
  readonly python: string;
  readonly nodes: Readonly<Record<string, ProjectNodeSettings>>;
  /** Phantom outputs whose data dagtest synthesizes; their paths are in `nodes` too. */
  readonly synthesize: SynthesisRequests;
  readonly wires: readonly WireOverride[];
  readonly plain: Readonly<Record<string, PlainNode>> | null;
  readonly execution: ExecutionSettings;
  /** dagtest.yaml `snapshots:` with defaults applied. */
  readonly snapshots: SnapshotSettings;
}

export interface DirectOptions {
  readonly dag: string;
  readonly config?: string | undefined;
  readonly interfaces?: readonly string[] | undefined;
  readonly scripts?: readonly string[] | undefined;
  readonly projectRoot?: string | undefined;
  readonly python?: string | undefined;
  readonly cwd?: string | undefined;
}

/** Plan straight from files, without a dagtest.yaml. */
export function loadDirectProject(options: DirectOptions): Project {
  const cwd = options.cwd ?? process.cwd();
  const abs = (p: string) => path.resolve(cwd, p);
  const execution = specSchemaOrThrow().executionDefaults(undefined); // first: it may need loading
  const config = options.config ? loadPipelineConfig(abs(options.config)) : null;
  return {
    specFile: null,
    baseDir: cwd,
    dag: loadDag(abs(options.dag)),
    config,
    registry: loadInterfaceRegistry((options.interfaces ?? []).map(abs)),
    scriptRoots: (options.scripts ?? []).map(abs),
    projectRoot: abs(options.projectRoot ?? "."),
    pathMap: [],
    python: resolvePython(options.python, cwd),
    nodes: {},
    synthesize: {},
    wires: [],
    plain: null,
    execution,
    snapshots: DEFAULT_SNAPSHOT_SETTINGS,
  };
}

/** Load a dagtest.yaml and everything it names. */
export function loadSpecProject(specFile: string, overrides: { python?: string | undefined } = {}): Project {
  const parsed = path.join(cacheDir(path.dirname(path.resolve(specFile))), "parsed.json");
  return withParseCache(parsed, () => projectFromSpec(loadSpec(specFile), overrides));
}

/** A project from an already validated spec (read from disk, or edited in memory by the factory). */
export function projectFromSpec(
  loaded: LoadedSpec,
  overrides: { python?: string | undefined } = {},
): Project {
  const { spec, dir } = loaded;
  const specFile = loaded.file;
  const abs = (p: string) => path.resolve(dir, p);
  const plain = spec.pipeline ?? null;
  const dag = plain ? plainDag(loaded) : loadDag(abs(spec.dag!));
  const project: Project = {
    specFile,
    baseDir: dir,
    dag,
    config: spec.config ? loadPipelineConfig(abs(spec.config)) : null,
    registry: plain ? null : loadInterfaceRegistry((spec.interfaces ?? []).map(abs)),
    scriptRoots: (spec.scripts ?? []).map(abs),
    projectRoot: abs(spec.project_root ?? "."),
    pathMap: Object.entries(spec.paths ?? {})
      .map(([prefix, local]) => [trimSlashes(prefix), abs(local)] as const)
      .sort((a, b) => b[0].length - a[0].length),
    python: resolvePython(overrides.python ?? spec.python, dir),
    ...absoluteSettings(spec.nodes ?? {}, dir, abs),
    wires: spec.wires ?? [],
    plain: plain ? absolutePlain(plain.nodes, abs) : null,
    execution: spec.run,
    snapshots: snapshotSettings(spec.snapshots),
  };
  checkNamedNodes(loaded, project.dag);
  return project;
}

/** `snapshots:` with the defaults of `DEFAULT_SNAPSHOT_SETTINGS`. */
export function snapshotSettings(given: SnapshotSpec | undefined): SnapshotSettings {
  if (!given) return DEFAULT_SNAPSHOT_SETTINGS;
  const d = DEFAULT_SNAPSHOT_SETTINGS;
  const nodes = Object.fromEntries(
    Object.entries(given.nodes ?? {}).map(([name, n]) => [
      name,
      {
        ...(n.rel_tol === undefined ? {} : { relTol: n.rel_tol }),
        ...(n.abs_tol === undefined ? {} : { absTol: n.abs_tol }),
        ...(n.ignore === undefined ? {} : { ignore: n.ignore }),
        ...(n.skip === undefined ? {} : { skip: n.skip }),
      },
    ]),
  );
  return {
    relTol: given.rel_tol ?? d.relTol,
    absTol: given.abs_tol ?? d.absTol,
    ignore: given.ignore ?? [],
    nodes,
    configured: true,
  };
}

function plainDag(loaded: LoadedSpec): Dag {
  const pipeline = loaded.spec.pipeline!;
  const nodes = Object.keys(pipeline.nodes);
  const edges = pipeline.edges.map((e) => (Array.isArray(e) ? e : [e.from, e.to]));
  // Reuse the DAG checks (unknown edge ends, cycles, names) with locations inside dagtest.yaml.
  const doc = new SourceDocument(loaded.file, loaded.document.text, { pipeline: { nodes, edges } });
  const dag = dagFromDocument(doc, ["pipeline"]);
  return { ...dag, description: pipeline.description ?? null };
}

/** Every node named in `nodes:` and `wires:` must exist in the DAG. */
function checkNamedNodes(loaded: LoadedSpec, dag: Dag): void {
  const known = new Set(dag.nodes);
  const fail = (name: string, at: (string | number)[], key = false) => {
    throw new DagtestError({
      code: "DAGTEST_SPEC_INVALID",
      message: `${path.basename(loaded.file)} names node "${name}", which is not in the DAG.${didYouMean(name, known)}`,
      hint: "Use a node name exactly as the DAG declares it (`dagtest plan` lists them).",
      location: loaded.document.locate(at, { key }),
    });
  };
  for (const name of Object.keys(loaded.spec.nodes ?? {})) {
    checkNodeName(name, () => loaded.document.locate(["nodes", name], { key: true }));
    if (!known.has(name)) fail(name, ["nodes", name], true);
  }
  (loaded.spec.wires ?? []).forEach((wire, i) => {
    for (const end of ["from", "to"] as const) {
      const ref = wire[end];
      const node = ref?.split(".")[0];
      if (node !== undefined && !known.has(node)) fail(node, ["wires", i, end]);
    }
  });
}

/** The same project with other per-node user settings (relative paths resolve against the spec's folder). */
export function withNodeSettings(project: Project, nodes: Record<string, NodeSettings>): Project {
  return { ...project, ...absoluteSettings(nodes, project.baseDir, (p) => path.resolve(project.baseDir, p)) };
}

function absoluteSettings(
  nodes: Record<string, NodeSettings>,
  baseDir: string,
  abs: (p: string) => string,
): { nodes: Record<string, ProjectNodeSettings>; synthesize: SynthesisRequests } {
  const out: Record<string, ProjectNodeSettings> = {};
  const synthesize: Record<string, Record<string, SynthesizeSettings>> = {};
  for (const [name, settings] of Object.entries(nodes)) {
    const outputs: Record<string, string> = {};
    for (const [port, value] of Object.entries(settings.outputs ?? {})) {
      if (typeof value === "string") outputs[port] = abs(value);
      else {
        outputs[port] = synthesizedOutputPath(baseDir, name, port);
        synthesize[name] = { ...synthesize[name], [port]: value.synthesize };
      }
    }
    const { outputs: _given, ...rest } = settings;
    out[name] = {
      ...rest,
      ...(settings.script ? { script: abs(settings.script) } : {}),
      ...(settings.inputs ? { inputs: mapValues(settings.inputs, abs) } : {}),
      ...(settings.outputs ? { outputs } : {}),
    };
  }
  return { nodes: out, synthesize };
}

function absolutePlain(
  nodes: Record<string, PlainNode>,
  abs: (p: string) => string,
): Record<string, PlainNode> {
  const out: Record<string, PlainNode> = {};
  for (const [name, node] of Object.entries(nodes)) out[name] = { ...node, script: abs(node.script) };
  return out;
}

function mapValues(map: Record<string, string>, fn: (v: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, fn(v)]));
}

function trimSlashes(p: string): string {
  return p.replace(/^\.\//, "").replace(/\/+$/, "");
}

/**
 * The interpreter: as given (a path relative to `dir`, or a command on PATH); else $DAGTEST_PYTHON;
 * else the nearest `.venv/bin/python` from `dir` upwards; else `python3`. The real executable
 * behind a shim is resolved once, later, by the runner (`sys.executable`).
 */
export function resolvePython(given: string | undefined, dir: string): string {
  const chosen = given ?? process.env.DAGTEST_PYTHON;
  if (chosen) return chosen.includes("/") ? path.resolve(dir, chosen) : chosen;
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const candidate = path.join(at, ".venv", "bin", "python");
    if (existsSync(candidate)) return candidate;
    if (path.dirname(at) === at) return "python3";
  }
}
