/**
 * First planning pass, pure: for each node, its step type, job type, config entry, interface
 * (variant merged) and the ordered list of places its script may be. Nothing here touches the
 * disk; `facts.ts` then checks the candidates and describes the scripts found.
 */
import path from "node:path";
import { matchStepType, type RawInterface, variantKeys } from "../config/interfaces.js";
import { type ConfigMatch, matchConfig } from "../config/pipeline-config.js";
import type { Project } from "../config/project.js";
import { resolveInterface } from "../config/resolve-interface.js";
import type { NodeSettings, PlainNode } from "../config/spec-schema.js";
import type { StepInterface } from "../model/interface.js";
import type { PhantomReason, Problem, ScriptRule } from "../model/plan.js";
import { remap } from "./config-paths.js";
import { plainInterface } from "./plain.js";
import { problem } from "./problems.js";

export interface ScriptCandidate {
  readonly path: string;
  readonly rule: ScriptRule;
}

/** A node is a phantom for a reason known before any file is looked at. */
export interface EarlyPhantom {
  readonly reason: PhantomReason;
  readonly detail: string;
}

export interface NodeContext {
  readonly name: string;
  readonly settings: NodeSettings;
  readonly stepType: string | null;
  readonly jobType: string | null;
  readonly jobTypeFromSuffix: boolean;
  readonly iface: StepInterface | null;
  readonly config: Extract<ConfigMatch, { ok: true }> | null;
  readonly plain: PlainNode | null;
  /** The script file name to look for (config entry point, else the interface's). */
  readonly entryPoint: string | null;
  readonly candidates: readonly ScriptCandidate[];
  readonly early: EarlyPhantom | null;
  readonly problems: readonly Problem[];
}

/**
 * An interface resolved (variants deep-merged) once per (step type, job type), not once per node:
 * nodes of one step type then share one interface object, which later passes memoise on.
 */
const resolved = new WeakMap<RawInterface, Map<string | null, StepInterface>>();

function resolveOnce(raw: RawInterface, jobType: string | null): StepInterface {
  let byJob = resolved.get(raw);
  if (!byJob) {
    byJob = new Map();
    resolved.set(raw, byJob);
  }
  // Only a job type that names a variant changes the interface: a node-name suffix that names
  // none (`Package_n14`) gets the base interface, shared with every other such node.
  const lower = jobType?.toLowerCase() ?? null;
  const key = lower !== null && variantKeys(raw).includes(lower) ? lower : null;
  let iface = byJob.get(key);
  if (!iface) {
    iface = resolveInterface(raw, key === null ? null : jobType);
    byJob.set(key, iface);
  }
  return iface;
}

/** Analyse every node of the project, in DAG declaration order. */
export function analyseNodes(project: Project): NodeContext[] {
  return project.dag.nodes.map((name) => analyseNode(project, name));
}

/** A node's problems, when it has none: one empty list for all. */
const NO_PROBLEMS: readonly Problem[] = [];

/** The settings of a node dagtest.yaml says nothing about: one record for all. */
const NO_SETTINGS: NodeSettings = {};

function analyseNode(project: Project, name: string): NodeContext {
  const settings = project.nodes[name] ?? NO_SETTINGS;
  const plain = project.plain?.[name] ?? null;
  if (plain) return analysePlain(project, name, settings, plain);
  const problems: Problem[] = [];
  const config = findConfig(project, name, settings, problems);
  const effective = config?.effective;
  const modelType = typeof effective?.__model_type__ === "string" ? effective.__model_type__ : undefined;
  const match = project.registry
    ? matchStepType(settings.step_type ?? name, project.registry, modelType?.replace(/Config$/, ""))
    : null;
  const configJobType = typeof effective?.job_type === "string" ? effective.job_type : null;
  const jobType = configJobType ?? match?.suffix ?? null;
  const jobTypeFromSuffix = configJobType === null && jobType !== null;
  if (!match) {
    problems.push(noInterfaceProblem(project, name));
    const early = settings.script
      ? null
      : { reason: "no-interface" as const, detail: "no step interface matches this node" };
    const candidates = settings.script ? [{ path: settings.script, rule: "spec-override" as const }] : [];
    // Every field written out (no spread): a spread per node costs more than the node itself.
    return {
      name,
      settings,
      plain,
      config,
      problems,
      jobType,
      jobTypeFromSuffix,
      stepType: null,
      iface: null,
      entryPoint: null,
      candidates,
      early,
    };
  }
  const variants = variantKeys(match.iface);
  if (jobType && variants.length > 0 && !variants.includes(jobType.toLowerCase())) {
    problems.push(
      problem(
        "warning",
        "DAGTEST_NO_VARIANT",
        `Interface ${match.stepType} has no variant for job type "${jobType}"; the base interface is used.`,
        {
          node: name,
          hint: `Variants available: ${variants.join(", ")}.`,
          location: { file: match.iface.file },
        },
      ),
    );
  }
  const iface = resolveOnce(match.iface, jobType);
  const entryPoint = configEntryPoint(effective) ?? iface.entryPoint;
  return {
    name,
    settings,
    plain,
    config,
    problems: problems.length > 0 ? problems : NO_PROBLEMS,
    jobType,
    jobTypeFromSuffix,
    stepType: match.stepType,
    iface,
    entryPoint,
    candidates: scriptCandidates(project, settings, iface, effective, entryPoint),
    early: settings.script && !settings.skip ? null : earlyPhantom(settings, iface),
  };
}

function analysePlain(project: Project, name: string, settings: NodeSettings, plain: PlainNode): NodeContext {
  const script = settings.script ?? plain.script;
  return {
    name,
    settings,
    plain,
    config: null,
    problems: [],
    jobType: null,
    jobTypeFromSuffix: false,
    stepType: null,
    iface: plainInterface(name, plain, project.specFile ?? project.baseDir),
    entryPoint: path.basename(script),
    candidates: [{ path: script, rule: settings.script ? "spec-override" : "plain" }],
    early: settings.skip ? { reason: "user-skipped", detail: "skip: true in dagtest.yaml" } : null,
  };
}

function findConfig(
  project: Project,
  name: string,
  settings: NodeSettings,
  problems: Problem[],
): Extract<ConfigMatch, { ok: true }> | null {
  if (!project.config) return null;
  const match = matchConfig(project.config, settings.config ?? name);
  if (match.ok) return match;
  problems.push(
    problem("error", "DAGTEST_NO_CONFIG_ENTRY", match.message, {
      node: name,
      hint: match.hint,
      location: { file: project.config.file },
    }),
  );
  return null;
}

function noInterfaceProblem(project: Project, name: string): Problem {
  const roots = project.registry?.roots ?? [];
  return problem("error", "DAGTEST_NO_INTERFACE", `No step interface matches node "${name}".`, {
    node: name,
    hint:
      roots.length === 0
        ? "No interface folder was given: pass --interfaces DIR (or `interfaces:` in dagtest.yaml)."
        : `Searched ${roots.join(", ")}. Add a *.step.yaml whose step_type starts the node name, or set nodes.${name}.step_type.`,
  });
}

const RUNNABLE_TYPES = new Set(["Processing", "Training"]);

const USER_SKIPPED: EarlyPhantom = Object.freeze({
  reason: "user-skipped",
  detail: "skip: true in dagtest.yaml",
});
const earlyByInterface = new WeakMap<StepInterface, EarlyPhantom | null>();

/** The phantom rules that need no file (cursus-formats §3.7); every rule that applies is named. */
function earlyPhantom(settings: NodeSettings, iface: StepInterface): EarlyPhantom | null {
  if (settings.skip) return USER_SKIPPED;
  let early = earlyByInterface.get(iface);
  if (early === undefined) {
    early = interfacePhantom(iface);
    earlyByInterface.set(iface, early);
  }
  return early;
}

function interfacePhantom(iface: StepInterface): EarlyPhantom | null {
  const found: EarlyPhantom[] = [];
  if (!iface.entryPoint)
    found.push({ reason: "no-entry-point", detail: "the interface's contract.entry_point is null" });
  if (!RUNNABLE_TYPES.has(iface.sagemakerStepType)) {
    found.push({
      reason: "not-processing-or-training",
      detail: `a ${iface.sagemakerStepType} step runs inside SageMaker, not as a script`,
    });
  }
  if (iface.registryRequires)
    found.push({ reason: "needs-internal-sdk", detail: `needs ${iface.registryRequires}` });
  if (iface.runtimeRequires.length > 0) {
    found.push({
      reason: "needs-internal-sdk",
      detail: `imports ${iface.runtimeRequires.join(", ")} at run time`,
    });
  }
  const first = found[0];
  return first ? { reason: first.reason, detail: found.map((f) => f.detail).join("; ") } : null;
}

const ENTRY_POINT_FIELDS = ["processing_entry_point", "training_entry_point"] as const;

function configEntryPoint(config: Readonly<Record<string, unknown>> | undefined): string | null {
  for (const field of ENTRY_POINT_FIELDS) {
    const value = config?.[field];
    if (typeof value === "string" && value.length > 0) return value;
  }
  return null;
}

/**
 * Where the script may be, in order: the user's explicit path; each config source dir
 * (processing_source_dir, then source_dir) taken as absolute, remapped by `paths:`, or under the
 * project root. The search fallback over --scripts roots is added by `facts.ts`.
 */
function scriptCandidates(
  project: Project,
  settings: NodeSettings,
  iface: StepInterface,
  config: Readonly<Record<string, unknown>> | undefined,
  entryPoint: string | null,
): readonly ScriptCandidate[] {
  if (settings.script) return [{ path: settings.script, rule: "spec-override" }];
  if (!entryPoint) return [];
  const dirFields = iface.sagemakerStepType === "Training" ? TRAINING_DIR_FIELDS : PROCESSING_DIR_FIELDS;
  const dirs = dirFields.map((field) => config?.[field]);
  // Nodes of one step type name the same folders: their candidates are worked out once.
  let memo = candidateMemo.get(project);
  if (!memo) {
    memo = new Map();
    candidateMemo.set(project, memo);
  }
  const key = JSON.stringify([entryPoint, ...dirs.map((d) => (typeof d === "string" ? d : null))]);
  let candidates = memo.get(key);
  if (!candidates) {
    candidates = candidatesIn(project, dirs, entryPoint);
    memo.set(key, candidates);
  }
  return candidates;
}

const TRAINING_DIR_FIELDS = ["source_dir"] as const;
const PROCESSING_DIR_FIELDS = ["processing_source_dir", "source_dir"] as const;
const candidateMemo = new WeakMap<Project, Map<string, readonly ScriptCandidate[]>>();

function candidatesIn(project: Project, dirs: readonly unknown[], entryPoint: string): ScriptCandidate[] {
  const out: ScriptCandidate[] = [];
  for (const dir of dirs) {
    if (typeof dir !== "string" || dir.length === 0) continue;
    if (path.isAbsolute(dir)) out.push({ path: path.join(dir, entryPoint), rule: "config-source-dir" });
    const remapped = remap(project, dir);
    if (remapped) out.push({ path: path.join(remapped, entryPoint), rule: "path-remap" });
    if (!path.isAbsolute(dir))
      out.push({ path: path.join(project.projectRoot, dir, entryPoint), rule: "project-root" });
  }
  return dedupe(out);
}

function dedupe(candidates: ScriptCandidate[]): ScriptCandidate[] {
  const seen = new Set<string>();
  return candidates.filter((c) => !seen.has(c.path) && seen.add(c.path));
}
