/**
 * The plan: the pure, serialisable result of planning. `dagtest plan --json` prints it, the UI
 * draws it, and the engine executes it without re-deriving anything. Bump PLAN_VERSION on any
 * change that is not purely additive; docs/plan-json.md describes every field.
 */
import type { ErrorCode, SourceLocation } from "../errors.js";
import type { DependencyType, PortDataType } from "./interface.js";
import type { EnvConversion } from "./protocol.js";
import type { SyntheticData } from "./synth.js";

export const PLAN_VERSION = 1;

/**
 * `info`: a finding that needs nothing from the user (a script reading its cloud set-up's env
 * vars, say); the console groups them in one line and `--verbose` lists them.
 */
export type Severity = "error" | "warning" | "info";

/** Something wrong with the inputs, found while planning. Errors make `dagtest plan` exit non-zero. */
export interface Problem {
  readonly severity: Severity;
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint: string;
  readonly node: string | null;
  readonly location: SourceLocation | null;
}

export interface PortRef {
  readonly node: string;
  readonly port: string;
}

/** Where a value came from, so the user can see why it is what it is. */
export type ValueSource =
  | { readonly kind: "interface-default"; readonly file: string }
  | { readonly kind: "config"; readonly field: string }
  | { readonly kind: "config-env" }
  | { readonly kind: "node-suffix" }
  | { readonly kind: "user" }
  | { readonly kind: "engine"; readonly why: string };

/** How an input port gets its data. */
export type InputProvision =
  | { readonly kind: "wire"; readonly from: PortRef }
  | { readonly kind: "user"; readonly path: string }
  | { readonly kind: "config"; readonly field: string; readonly value: string | null }
  | { readonly kind: "code-dir"; readonly path: string }
  | { readonly kind: "none" };

/** How a port is bound locally, and which rule chose it. */
export interface PortBinding {
  /**
   * `interface`: the port's local folder, as the interface declares it; `script-main`: as the
   * script's own `__main__` passes it (its folder, or a file inside it).
   */
  readonly rule: "interface" | "script-main";
  /** The container path the script's `__main__` passes for this port, when it could be read. */
  readonly mainPath: string | null;
  /** Appended to the port's local folder: the file inside it that `__main__` passes ("" for the folder). */
  readonly suffix: string;
}

export interface InputRequirement {
  readonly name: string;
  readonly required: boolean;
  readonly containerPath: string | null;
  readonly type: DependencyType;
  readonly dataType: PortDataType;
  /** Sub-folders the input is split into (Training channels). */
  readonly channels: readonly string[];
  readonly provision: InputProvision;
  readonly binding: PortBinding;
}

export interface OutputRequirement {
  readonly name: string;
  readonly containerPath: string | null;
  readonly type: DependencyType;
  readonly dataType: PortDataType;
  readonly aliases: readonly string[];
  readonly binding: PortBinding;
}

export interface EnvRequirement {
  readonly name: string;
  /** Declared in the interface's `env_vars.required`. */
  readonly required: boolean;
  /** Declared by the interface at all (config.env and user values may add undeclared names). */
  readonly declared: boolean;
  /** Null when the engine fills it per run, or when nothing provides it (then a question exists). */
  readonly value: string | null;
  readonly source: ValueSource | null;
}

export interface JobArgRequirement {
  readonly flag: string;
  /** The argparse attribute the script reads (`--batch-size` → `batch_size`). */
  readonly attr: string;
  readonly value: string | null;
  readonly source: ValueSource | null;
}

/** How the script file was found. */
export type ScriptRule =
  | "spec-override"
  | "plain"
  | "config-source-dir"
  | "path-remap"
  | "project-root"
  | "search-fallback";

export interface ScriptLocation {
  readonly path: string;
  readonly rule: ScriptRule;
  /** The script's folder, put on `sys.path`; `/opt/ml/code` inputs resolve under it. */
  readonly sourceDir: string;
  /** Every place looked at, in order, up to and including the one chosen. */
  readonly searched: readonly string[];
}

/** What the static check (`describe`) found in the script. */
export interface ScriptCheck {
  readonly mainParams: readonly string[];
  readonly mainLine: number | null;
  /** Top-level names of the modules imported from outside the script's folder. */
  readonly imports: readonly string[];
  /** The same imports as written (`sklearn.linear_model`): what the fork server preloads. */
  readonly modules: readonly string[];
  readonly localImports: readonly string[];
  readonly inputKeys: readonly string[];
  readonly outputKeys: readonly string[];
  readonly envKeys: readonly string[];
  readonly jobArgAttrs: readonly string[];
  /** environ_vars keys the script's `__main__` converts (to bool, int, float) before calling main. */
  readonly environConversions: Readonly<Record<string, EnvConversion>>;
}

/** One `framework_requirements` pin against the interpreter that will run the script. */
export interface PackageParity {
  readonly package: string;
  readonly wanted: string;
  readonly installed: string | null;
  /** Null when the pin could not be understood. */
  readonly satisfied: boolean | null;
}

export type PhantomReason =
  | "no-interface"
  | "no-entry-point"
  | "not-processing-or-training"
  | "needs-internal-sdk"
  | "script-not-found"
  | "no-main"
  | "user-skipped";

interface NodeBase {
  readonly name: string;
  readonly stepType: string | null;
  readonly jobType: string | null;
  readonly interface: { readonly file: string; readonly variant: string | null } | null;
  readonly config: { readonly key: string; readonly rule: string } | null;
  readonly upstream: readonly string[];
  readonly downstream: readonly string[];
  readonly outputs: readonly OutputRequirement[];
}

/**
 * How a node's process is made: `fork`, a child of the warm fork server (the default, on
 * Linux), or `process`, a fresh interpreter for a script that needs one.
 */
export type Isolation = "fork" | "process";

/** Per-node process limits, from dagtest.yaml (`run:` defaults, then `nodes.<n>`). */
export interface NodeLimits {
  readonly timeoutMs: number;
  readonly memoryMb: number | null;
  /** `isolation:` of the node, else of `run:`. */
  readonly isolation: Isolation;
  /** What the node's task asks a cluster for (`num_cpus`, `num_gpus`, `resources`); absent: the defaults. */
  readonly placement?: NodePlacement;
}

/** A node's resource request on a cluster (`executor: ray`): Ray places the task where they fit. */
export interface NodePlacement {
  readonly numCpus: number | null;
  readonly numGpus: number | null;
  readonly resources: Readonly<Record<string, number>>;
}

/** `run.executor`: this machine, or one Ray task per node. */
export type ExecutorName = "local" | "ray";

/** `run.ray` with paths absolute. */
export interface RaySettings {
  readonly address: string | null;
  readonly sharedDir: string | null;
  readonly python: string | null;
}

export interface ScriptNode extends NodeBase {
  readonly kind: "script";
  readonly limits: NodeLimits;
  readonly script: ScriptLocation;
  /** Frameworks the script imports (pandas, scikit-learn, xgboost, ...). */
  readonly frameworks: readonly string[];
  readonly check: ScriptCheck | null;
  readonly inputs: readonly InputRequirement[];
  readonly env: readonly EnvRequirement[];
  readonly jobArgs: readonly JobArgRequirement[];
  readonly parity: readonly PackageParity[];
  /**
   * Keys the script reads that its interface does not declare, bound to a declared port's folder
   * (cursus Payload reads `output_paths["output_dir"]` for its `payload_sample` output).
   */
  readonly portAliases: {
    readonly inputs: Readonly<Record<string, string>>;
    readonly outputs: Readonly<Record<string, string>>;
  };
  /** Whether everything the node depends on can be tracked, so its result may be cached. */
  readonly cache: CacheTracking;
}

/** A node whose inputs cannot be fully tracked is never cached; `reason` says why. */
export interface CacheTracking {
  readonly tracked: boolean;
  readonly reason: string | null;
}

export interface PhantomNode extends NodeBase {
  readonly kind: "phantom";
  readonly reason: PhantomReason;
  readonly detail: string;
  readonly searched: readonly string[];
  /** Output port → where the user says its data is (null until supplied). */
  readonly suppliedOutputs: Readonly<Record<string, string | null>>;
  /** Present when dagtest synthesizes some of its outputs (`{synthesize: ...}` in dagtest.yaml). */
  readonly synthetic?: SyntheticData;
}

export type PlanNode = ScriptNode | PhantomNode;

export type WireRule = "scored" | "override";

export interface Wire {
  readonly from: PortRef;
  readonly to: PortRef;
  /** Null for user overrides. */
  readonly score: number | null;
  readonly rule: WireRule;
  readonly reasons: readonly string[];
  /** True when the producer is a phantom: its data must be supplied by the user. */
  readonly viaPhantom: boolean;
  /**
   * True when the consumer is a phantom (e.g. Registration): shown so the plan has every edge's
   * data as cursus would wire it, never run.
   */
  readonly intoPhantom: boolean;
}

/** Something only the user can answer, and where in dagtest.yaml the answer goes. */
export interface Question {
  readonly id: string;
  readonly node: string;
  readonly kind: "input" | "phantom-output" | "env" | "job-arg" | "column-type";
  readonly name: string;
  readonly message: string;
  /** The dagtest.yaml key that answers it, e.g. `nodes.A.outputs.DATA`. */
  readonly answerAt: string;
  readonly consumers: readonly PortRef[];
}

export interface PlanSources {
  readonly spec: string | null;
  readonly dag: string | null;
  readonly config: string | null;
  readonly interfaces: readonly string[];
  readonly scripts: readonly string[];
  readonly projectRoot: string;
  readonly python: {
    readonly command: string;
    readonly executable: string | null;
    readonly version: string | null;
  };
}

export interface PlanSummary {
  readonly nodes: number;
  readonly scripts: number;
  readonly phantoms: number;
  readonly wires: number;
  readonly questions: number;
  readonly errors: number;
  readonly warnings: number;
  /** Problems of severity `info`. */
  readonly notes: number;
  /** No errors and no open questions: `dagtest run` can start. */
  readonly ready: boolean;
}

/** How the engine runs the scripts: offline guards and log bounds (dagtest.yaml `run:`). */
export interface PlanExecution {
  readonly blockPipInstall: boolean;
  readonly stubModules: readonly string[];
  readonly freshWorkdir: boolean;
  /** Cap on each of a node's stdout and stderr logs; the tail is kept. */
  readonly maxLogBytes: number;
  /** `isolation:` under `run:`; each node's own value is in its `limits`. */
  readonly isolation: Isolation;
  /** `preload:` under `run:`: modules the fork server imports besides the scripts' own imports. */
  readonly preload: readonly string[];
  /** `seed:` under `run:`, passed to every node as DAGTEST_SEED; null when not set. */
  readonly seed: number | null;
  /** `executor:` under `run:` (absent in plans of older versions: local). */
  readonly executor?: ExecutorName;
  readonly ray?: RaySettings | null;
}

export interface Plan {
  readonly planVersion: typeof PLAN_VERSION;
  readonly dagtestVersion: string;
  readonly sources: PlanSources;
  readonly execution: PlanExecution;
  /** Topological order (Kahn, declared-order tie-breaks). */
  readonly order: readonly string[];
  /** Topological generations: nodes in one layer do not depend on each other. */
  readonly layers: readonly (readonly string[])[];
  readonly nodes: readonly PlanNode[];
  readonly wires: readonly Wire[];
  readonly questions: readonly Question[];
  readonly problems: readonly Problem[];
  readonly summary: PlanSummary;
  /** Set by `dagtest run --sample N` (or `run.sample`): user-supplied datasets were cut to N rows. */
  readonly sampling?: Sampling;
}

/** How user-supplied data was sampled for this run; each dataset's copy is listed. */
export interface Sampling {
  readonly rows: number;
  readonly seed: number;
  readonly datasets: readonly SampledDataset[];
}

export interface SampledDataset {
  /** The user's folder or file (never modified). */
  readonly source: string;
  /** The sampled copy the scripts read. */
  readonly copy: string;
  /** The column the sample was stratified by, or null (random rows). */
  readonly stratifiedBy: string | null;
  /** Rows per tabular file: [file (relative to the dataset), rows kept, rows seen or estimated]. */
  readonly files: readonly (readonly [string, number, number])[];
}
