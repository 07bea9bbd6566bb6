/**
 * The framework-aware output check (the seeds' "framework detection for output validation"): a
 * node whose script imports a model framework has the model artifacts it wrote loaded back by
 * that framework's own loader, in a fresh process of the scripts' interpreter, and asked for one
 * prediction when one of its tabular inputs has the model's feature columns. The process is a
 * child of the warm server the node's job forked from when there is one (it never ran a script,
 * so a model that needs the training process's memory fails there as in a fresh interpreter,
 * without paying a second of imports), else a fresh interpreter. A model that does
 * not load or predict fails the node with `model-unloadable`. Every node that ran gets its
 * `frameworkInfo`: what was detected, what was checked, and builder–script consistency.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Executor, PreloadList } from "../../exec/types.js";
import type { Plan, ScriptNode } from "../../model/plan.js";
import type { FrameworkInfo } from "../../model/run.js";
import { type InspectVia, loadModels, type ModelLoader } from "../../python/inspect.js";
import { listFiles } from "../../util/files.js";
import type { PreparedNode } from "../stages/prepare.js";
import type { CheckResult, NodeCheck } from "../stages/verify.js";

/** Frameworks (as the plan names them) whose artifacts the check loads. */
const MODEL_FRAMEWORKS = new Set([
  "scikit-learn",
  "xgboost",
  "lightgbm",
  "pytorch",
  "pytorch-lightning",
  "onnx",
]);
/** Plan warnings that are builder–script disagreements. */
const CONSISTENCY_CODES = new Set([
  "DAGTEST_UNDECLARED_INPUT",
  "DAGTEST_UNDECLARED_OUTPUT",
  "DAGTEST_UNDECLARED_ENV",
  "DAGTEST_MISSING_JOB_ARG",
]);
const TABULAR = /\.(csv|tsv|parquet)$/i;
const MAX_EVALUATION_FILES = 20;

/** Where the model check may fork its process from: the run's executor and what its servers preload. */
export interface ForkedLoading {
  readonly executor: Executor;
  readonly preload: PreloadList;
  readonly signal: AbortSignal;
}

export function modelCheck(plan: Plan, python: string, forked: ForkedLoading | null = null): NodeCheck {
  return {
    name: "model-loadable",
    arm: () => async (ran) => {
      const { node } = ran.prepared;
      const info = baseInfo(plan, node);
      const outputs = ran.exec.outputs ?? ran.prepared.job.outputPaths;
      const models = ran.verdict.status === "passed" ? modelFiles(node, outputs) : [];
      if (models.length === 0) return { kind: "framework", info, failure: null };
      const loaded = await loadModels(
        python,
        { models, evaluation: evaluationFiles(ran.prepared), sysPath: sysPathOf(ran.prepared) },
        {
          timeoutMs: node.limits.timeoutMs,
          cwd: ran.prepared.paths.tmp,
          env: ran.prepared.env,
          via: forked ? forkedVia(forked, python, ran.prepared) : undefined,
        },
      );
      const label = (file: string) => labelOf(file, outputs);
      return loaded.ok
        ? verdictOf({ ...info, checks: checksOf(loaded.value, label), models: loaded.value }, label)
        : unloadable(
            info,
            models.map((m) => label(m.file)),
            loaded.culprit ? label(loaded.culprit) : null,
            loaded.message,
          );
    },
  };
}

/**
 * The inspect request run in a child of the node's warm server: the request and what the child
 * printed are kept in the node's folder (`inspect-request.json`, `logs/inspect-*.log`).
 */
function forkedVia(forked: ForkedLoading, python: string, prepared: PreparedNode): InspectVia | undefined {
  const { executor, preload, signal } = forked;
  if (!executor.inspect || prepared.node.limits.isolation !== "fork") return undefined;
  return async (request) => {
    const { dir, stdout } = prepared.paths;
    const requestFile = path.join(dir, "inspect-request.json");
    writeFileSync(requestFile, request);
    mkdirSync(path.dirname(stdout), { recursive: true });
    const logs = {
      stdout: path.join(path.dirname(stdout), "inspect-stdout.log"),
      stderr: path.join(path.dirname(stdout), "inspect-stderr.log"),
    };
    const exit = await executor.inspect?.(
      { python, env: prepared.env, preload },
      {
        node: `${prepared.node.name}:model-check`, // its own name in timing traces
        requestFile,
        cwd: prepared.paths.tmp,
        sourceDir: prepared.job.sourceDir,
        logs,
        timeoutMs: prepared.node.limits.timeoutMs,
        signal,
      },
    );
    if (!exit) return null;
    const read = (file: string) => (existsSync(file) ? readFileSync(file, "utf8") : "");
    return { stdout: read(logs.stdout), stderr: read(logs.stderr), ...exit };
  };
}

function baseInfo(plan: Plan, node: ScriptNode): FrameworkInfo {
  const issues = plan.problems
    .filter((p) => p.node === node.name && CONSISTENCY_CODES.has(p.code))
    .map((p) => p.message);
  return {
    detected: node.frameworks,
    checks: [],
    models: [],
    consistency: { consistent: issues.length === 0, issues },
  };
}

/** The node's model artifacts, each with the loader its extension and the detected frameworks call for. */
export function modelFiles(
  node: Pick<ScriptNode, "frameworks">,
  outputs: Readonly<Record<string, string>>,
): { file: string; loader: ModelLoader }[] {
  const frameworks = new Set(node.frameworks);
  if (![...frameworks].some((f) => MODEL_FRAMEWORKS.has(f))) return [];
  const out: { file: string; loader: ModelLoader }[] = [];
  for (const dir of Object.values(outputs)) {
    for (const file of listFiles(dir)) {
      const loader = loaderOf(file, frameworks);
      if (loader) out.push({ file, loader });
    }
  }
  return out;
}

/** `port/file` of an output file, as snapshots name it. */
function labelOf(file: string, outputs: Readonly<Record<string, string>>): string {
  for (const [port, dir] of Object.entries(outputs)) {
    const rel = path.relative(dir, file);
    if (!rel.startsWith("..") && !path.isAbsolute(rel)) return `${port}/${rel || path.basename(file)}`;
  }
  return path.basename(file);
}

function loaderOf(file: string, frameworks: ReadonlySet<string>): ModelLoader | null {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".pkl" || ext === ".pickle") return "pickle";
  if (ext === ".joblib") return "joblib";
  if (ext === ".onnx") return "onnx";
  if ((ext === ".pt" || ext === ".pth") && (frameworks.has("pytorch") || frameworks.has("pytorch-lightning")))
    return "torch";
  if (frameworks.has("lightgbm") && [".txt", ".lgb", ".model"].includes(ext) && looksLikeLightgbm(file))
    return "lightgbm";
  if (frameworks.has("xgboost") && [".bst", ".ubj", ".xgb", ".model"].includes(ext)) return "xgboost";
  if (frameworks.has("xgboost") && ext === ".json" && looksLikeXgboostJson(file)) return "xgboost";
  return null;
}

function head(file: string, bytes: number): string {
  try {
    return readFileSync(file).subarray(0, bytes).toString("utf8");
  } catch {
    return "";
  }
}

function looksLikeLightgbm(file: string): boolean {
  return /^(tree|version=v\d)/.test(head(file, 64));
}

function looksLikeXgboostJson(file: string): boolean {
  return statSync(file).size > 0 && head(file, 4096).includes('"learner"');
}

/** Tabular files among the node's inputs; evaluation-looking names (test, val, eval) first. */
function evaluationFiles(prepared: PreparedNode): string[] {
  const files = Object.values(prepared.job.inputPaths).flatMap((dir) =>
    listFiles(dir).filter((f) => TABULAR.test(f)),
  );
  const rank = (f: string) => (/(test|eval|val)/i.test(path.basename(f)) ? 0 : 1);
  return files.sort((a, b) => rank(a) - rank(b)).slice(0, MAX_EVALUATION_FILES);
}

/** Where the script's own modules are, so that a pickle naming them can be loaded. */
function sysPathOf(prepared: PreparedNode): string[] {
  return [...new Set([path.dirname(prepared.job.script), prepared.job.sourceDir])];
}

function checksOf(
  models: readonly { file: string; loader: string; predicted: boolean }[],
  label: (file: string) => string,
): string[] {
  return models.flatMap((m) => {
    const name = label(m.file);
    return [
      `load ${name} (${m.loader}) in a fresh process`,
      ...(m.predicted ? [`predict with ${name}`] : []),
    ];
  });
}

function verdictOf(info: FrameworkInfo, label: (file: string) => string): CheckResult {
  const bad = info.models.filter((m) => !m.ok);
  if (bad.length === 0) return { kind: "framework", info, failure: null };
  const details = bad.map((m) => `model-unloadable: ${label(m.file)} (${m.loader}): ${m.error}`);
  return {
    kind: "framework",
    info,
    failure: {
      reason: "model-unloadable",
      message: `${label(bad[0]!.file)} does not load back with ${bad[0]!.loader}: ${bad[0]!.error}`,
      details,
    },
  };
}

/** The loading process itself died (a native loader aborted it) or could not run. */
function unloadable(
  info: FrameworkInfo,
  labels: readonly string[],
  culprit: string | null,
  why: string,
): CheckResult {
  const names = culprit ?? labels.join(", ");
  return {
    kind: "framework",
    info: { ...info, checks: labels.map((l) => `load ${l} in a fresh process`) },
    failure: {
      reason: "model-unloadable",
      message: `loading ${names} failed: ${why}`,
      details: [`model-unloadable: ${names}: ${why}`],
    },
  };
}
