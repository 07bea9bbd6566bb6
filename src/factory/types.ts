/** The public types of the interactive testing factory (the seeds' names, camelCased). */
import type { Reporter } from "../model/events.js";
import type { Plan } from "../model/plan.js";
import type { RunResult } from "../model/run.js";
import type { SynthColumnKind } from "../model/synth.js";

/** Where a value comes from, in one word a person reads: `upstream`, `config`, `interface-default`, `user`, ... */
export type RequirementSource =
  | "upstream"
  | "phantom-upstream"
  | "user"
  | "config"
  | "config-env"
  | "code-dir"
  | "interface-default"
  | "node-suffix"
  | "dagtest"
  | "none";

export interface InputRequirementView {
  readonly name: string;
  readonly description: string;
  readonly required: boolean;
  readonly dataType: string;
  readonly channels: readonly string[];
  /** The path (or `node.port` for an upstream wire) used when the user gives nothing. */
  readonly defaultValue: string | null;
  readonly source: RequirementSource;
  readonly configField: string | null;
  /** Only the user can provide this one. */
  readonly needsUser: boolean;
}

export interface OutputRequirementView {
  readonly name: string;
  readonly description: string;
  readonly dataType: string;
}

export interface EnvRequirementView {
  readonly name: string;
  readonly description: string;
  readonly required: boolean;
  readonly defaultValue: string | null;
  readonly source: RequirementSource;
  readonly configField: string | null;
  readonly needsUser: boolean;
}

export interface JobArgRequirementView {
  readonly name: string;
  readonly flag: string;
  readonly description: string;
  readonly required: boolean;
  readonly defaultValue: string | null;
  readonly source: RequirementSource;
  readonly configField: string | null;
}

export interface ScriptTestingRequirements {
  readonly node: string;
  readonly scriptPath: string;
  readonly stepType: string | null;
  readonly jobType: string | null;
  readonly frameworks: readonly string[];
  /** Upstream nodes, for context. */
  readonly dependencies: readonly string[];
  readonly inputs: readonly InputRequirementView[];
  readonly outputs: readonly OutputRequirementView[];
  readonly env: readonly EnvRequirementView[];
  readonly jobArgs: readonly JobArgRequirementView[];
  readonly autoConfigurable: boolean;
  /** What is still missing, each with the dagtest.yaml key that answers it. */
  readonly missing: readonly {
    readonly field: string;
    readonly message: string;
    readonly answerAt: string;
  }[];
}

/** A phantom output whose data dagtest generates from the config (defaults: 500 rows, seed 1). */
export interface PhantomSynthesis {
  readonly synthesize: {
    readonly rows?: number;
    readonly seed?: number;
    readonly columns?: Readonly<Record<string, SynthColumnKind>>;
  };
}

/** What `configureScriptTesting` accepts; every field is optional. */
export interface ScriptConfiguration {
  readonly inputs?: Readonly<Record<string, string>>;
  /** Only for phantom nodes: where the data of their outputs is, or `{ synthesize: {...} }`. */
  readonly outputs?: Readonly<Record<string, string | PhantomSynthesis>>;
  readonly env?: Readonly<Record<string, string | number | boolean>>;
  readonly jobArgs?: Readonly<Record<string, string | number | boolean>>;
}

export type ConfigurationState = "pending" | "partial" | "auto-configurable" | "auto-configured" | "complete";

export interface SkippedNode {
  readonly node: string;
  readonly reason: string;
  readonly detail: string;
}

export interface FactorySummary {
  readonly totalScripts: number;
  readonly states: Readonly<Record<string, ConfigurationState>>;
  readonly counts: Readonly<Record<ConfigurationState, number>>;
  readonly pendingScripts: readonly string[];
  readonly skippedNodes: readonly SkippedNode[];
  readonly planErrors: number;
  readonly readyForTesting: boolean;
}

export interface ScriptResolutionPreview {
  readonly node: string;
  readonly scriptPath: string | null;
  readonly rule: string;
  /** 1 for an exact rule, lower for a search fallback, 0 when nothing was found. */
  readonly confidence: number;
  readonly reason: string | null;
}

export interface GuidedTestingResult {
  readonly results: RunResult;
  readonly factory: FactorySummary;
}

export interface ValidationIssue {
  readonly script: string;
  readonly field: string;
  readonly message: string;
  readonly hint: string;
}

/** A plan ready to run: `compileDagToScriptExecution()` returns one. */
export interface ExecutablePlan {
  readonly plan: Plan;
  execute(options?: ExecuteOptions): Promise<RunResult>;
}

/** How a factory runs a plan: the same run session, with the same defaults, as `dagtest run`. */
export interface ExecuteOptions {
  /** How many scripts at once (default: the number of cores). */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  /** Listeners for the run's events (progress, `nodeOutput` lines, notices). */
  readonly reporters?: readonly Reporter[];
  /** Run part of the pipeline, as `dagtest run --only/--from/--to` (node names; unknown ones throw). */
  readonly selection?: {
    readonly only?: readonly string[];
    readonly from?: readonly string[];
    readonly to?: readonly string[];
  };
}
