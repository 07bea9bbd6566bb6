/**
 * From a planned script node to the job the runner executes: every folder under the run
 * directory, every declared input key bound to a path (a private view of a wired upstream
 * output, of user data or of a config path; the code dir; or an empty folder), env and job args
 * exactly as the plan says.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { type NodePaths, nodePaths } from "../model/layout.js";
import type { Plan, PlanNode, PortRef, ScriptNode } from "../model/plan.js";
import { PROTOCOL_VERSION, type StepJob } from "../model/protocol.js";
import { traceMark } from "../util/trace-timings.js";
import { containerMap } from "./container-map.js";
import { privateView } from "./private-view.js";

export { type NodePaths, nodePaths } from "../model/layout.js";

/** Where the data of an upstream output port is during this run. */
export function producedPath(plan: Plan, runDir: string, ref: PortRef): string | null {
  const producer = plan.nodes.find((n) => n.name === ref.node);
  if (!producer) return null;
  if (producer.kind === "phantom") return producer.suppliedOutputs[ref.port] ?? null;
  return path.join(nodePaths(runDir, ref.node).outputs, ref.port);
}

export interface PreparedJob {
  readonly job: StepJob;
  readonly paths: NodePaths;
  /** Inputs holding real data (not empty placeholders or the code dir), checked for modification. */
  readonly dataInputs: Readonly<Record<string, string>>;
}

/** Create the node's folders and its job. */
export function prepareJob(plan: Plan, node: ScriptNode, runDir: string): PreparedJob {
  const paths = nodePaths(runDir, node.name);
  for (const dir of [paths.outputs, paths.work, paths.tmp, path.dirname(paths.stdout)])
    mkdirSync(dir, { recursive: true });
  traceMark(node.name, "prepare:dirs");
  const { inputPaths, inputFolders, dataInputs, inputSources } = bindInputs(plan, node, runDir, paths);
  traceMark(node.name, "prepare:inputs-copied");
  const { outputPaths, outputFolders } = bindOutputs(node, paths);
  // Keys the script reads under another name than its interface declares (see plan portAliases).
  for (const [key, port] of Object.entries(node.portAliases.inputs))
    if (inputPaths[port]) inputPaths[key] = inputPaths[port];
  for (const [key, port] of Object.entries(node.portAliases.outputs))
    if (outputPaths[port]) outputPaths[key] = outputPaths[port];
  const environ: Record<string, string> = {};
  for (const env of node.env) if (env.value !== null) environ[env.name] = env.value;
  if (plan.execution.freshWorkdir) environ.WORKING_DIRECTORY = paths.work;
  const jobArgs: Record<string, string> = {};
  for (const arg of node.jobArgs) if (arg.value !== null) jobArgs[arg.attr] = arg.value;
  const job: StepJob = {
    protocolVersion: PROTOCOL_VERSION,
    node: node.name,
    script: node.script.path,
    sourceDir: node.script.sourceDir,
    workDir: paths.work,
    inputPaths,
    outputPaths,
    environ,
    jobArgs,
    guards: { blockPipInstall: plan.execution.blockPipInstall, stubModules: plan.execution.stubModules },
    limits: { memoryMb: node.limits.memoryMb },
    resultFile: paths.resultFile,
    containerPaths: containerMap(node, inputFolders, outputFolders),
    nodeDir: paths.dir,
    environConversions: node.check?.environConversions ?? {},
    inputSources,
  };
  return { job, paths, dataInputs };
}

interface Bound {
  /** Port → the path the script gets (as its __main__ passes it: the folder, or a file in it). */
  readonly inputPaths: Record<string, string>;
  /** Port → the folder itself. */
  readonly inputFolders: Record<string, string>;
  /** Inputs holding real data (their private views), checked for modification. */
  readonly dataInputs: Record<string, string>;
  /** Port → where its private view was copied from. */
  readonly inputSources: Record<string, string>;
}

/** Every declared input key bound to a path; the ones holding real data also in `dataInputs`. */
function bindInputs(plan: Plan, node: ScriptNode, runDir: string, paths: NodePaths): Bound {
  const bound: Bound = { inputPaths: {}, inputFolders: {}, dataInputs: {}, inputSources: {} };
  for (const input of node.inputs) {
    const p = input.provision;
    let folder: string | null = null;
    if (p.kind === "wire") folder = producedPath(plan, runDir, p.from);
    else if (p.kind === "user" || p.kind === "code-dir") folder = p.path;
    else if (p.kind === "config") folder = p.value;
    if (folder && p.kind !== "code-dir") {
      // Its own copy: never the producer's folder (other consumers read it) nor the user's data.
      bound.inputSources[input.name] = folder;
      folder = privateView(folder, path.join(paths.inputs, input.name));
      bound.dataInputs[input.name] = folder;
    }
    if (!folder) {
      // Scripts read every declared key (cursus-formats §5.4): an unfed input gets an empty folder.
      folder = path.join(paths.empty, input.name);
      mkdirSync(folder, { recursive: true });
    }
    bound.inputFolders[input.name] = folder;
    bound.inputPaths[input.name] = withSuffix(folder, input.binding.suffix);
  }
  return bound;
}

/** A fresh folder per output port, and the path the script gets for it. */
function bindOutputs(
  node: ScriptNode,
  paths: NodePaths,
): { outputPaths: Record<string, string>; outputFolders: Record<string, string> } {
  const outputPaths: Record<string, string> = {};
  const outputFolders: Record<string, string> = {};
  for (const output of node.outputs) {
    outputFolders[output.name] = path.join(paths.outputs, output.name);
    mkdirSync(outputFolders[output.name]!, { recursive: true });
    // As the script's __main__ passes it: the folder, or a file inside it (`.../result.json`).
    outputPaths[output.name] = withSuffix(outputFolders[output.name]!, output.binding.suffix);
  }
  return { outputPaths, outputFolders };
}

function withSuffix(folder: string, suffix: string): string {
  return suffix ? path.join(folder, suffix) : folder;
}

/** The child's whole environment: the user's, the job's env, and a fresh temp dir. */
export function processEnv(job: StepJob, paths: NodePaths, freshWorkdir: boolean): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  Object.assign(env, job.environ);
  if (freshWorkdir) env.TMPDIR = paths.tmp;
  env.PYTHONUNBUFFERED = "1";
  env.MPLBACKEND ??= "Agg";
  return env;
}

/**
 * The environment a node's job will have, before its folders exist: what decides which warm
 * server it forks from (the start-up variables), for starting that server early.
 */
export function expectedEnv(node: ScriptNode): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  for (const e of node.env) if (e.value !== null) env[e.name] = e.value;
  env.PYTHONUNBUFFERED = "1";
  env.MPLBACKEND ??= "Agg";
  return env;
}

export function isScript(node: PlanNode): node is ScriptNode {
  return node.kind === "script";
}
