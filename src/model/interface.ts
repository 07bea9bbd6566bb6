/**
 * A step interface (cursus `*.step.yaml`) after its job-type variant has been merged in.
 * Only what dagtest reads is typed; everything else stays in the raw YAML.
 */

/** The SageMaker-side type of a data dependency (cursus `core/base/enums.py`). */
export type DependencyType =
  | "model_artifacts"
  | "processing_output"
  | "training_data"
  | "hyperparameters"
  | "payload_samples"
  | "custom_property";

const DEPENDENCY_TYPES: ReadonlySet<string> = new Set<DependencyType>([
  "model_artifacts",
  "processing_output",
  "training_data",
  "hyperparameters",
  "payload_samples",
  "custom_property",
]);

/** A dependency type as written, or `processing_output` (cursus's default) for anything else. */
export function asDependencyType(value: unknown): DependencyType {
  return typeof value === "string" && DEPENDENCY_TYPES.has(value)
    ? (value as DependencyType)
    : "processing_output";
}

/** The value type of a port (`data_type` in the spec). */
export type PortDataType = "S3Uri" | "String" | "Integer" | "Float" | "Boolean";

/** One input declared by the contract, with what the spec says about it. */
export interface InterfaceInput {
  readonly name: string;
  /** Container path, e.g. `/opt/ml/processing/input/data`; null for script-less steps. */
  readonly containerPath: string | null;
  readonly required: boolean;
  /** Training channels: the input is fanned out into `<dir>/<channel>/` sub-folders. */
  readonly channels: readonly string[];
  readonly type: DependencyType;
  readonly dataType: PortDataType;
  readonly compatibleSources: readonly string[];
  readonly semanticKeywords: readonly string[];
  /** Set when the value comes from the config, not from an upstream node (`input_source_overrides`). */
  readonly configSource: string | null;
  /** Declared but not mounted: the script reads it from its own code dir (`skip_inputs`). */
  readonly skipped: boolean;
}

/** One output declared by the contract, with what the spec says about it. */
export interface InterfaceOutput {
  readonly name: string;
  readonly containerPath: string | null;
  readonly type: DependencyType;
  readonly dataType: PortDataType;
  readonly aliases: readonly string[];
  readonly semanticKeywords: readonly string[];
}

/** `{flag, source}` from the contract's `job_arguments`: flag ← config field. */
export interface JobArgumentDecl {
  readonly flag: string;
  readonly source: string;
}

export interface StepInterface {
  readonly stepType: string;
  /** Absolute path of the YAML file this interface came from. */
  readonly file: string;
  /** The variant key merged in, or null when the base was used. */
  readonly variant: string | null;
  readonly nodeType: string | null;
  readonly sagemakerStepType: string;
  /** `registry.requires`, null when `none` or absent. */
  readonly registryRequires: string | null;
  readonly configClass: string;
  readonly computeKind: string | null;
  readonly entryPoint: string | null;
  readonly inputs: readonly InterfaceInput[];
  readonly outputs: readonly InterfaceOutput[];
  readonly jobArguments: readonly JobArgumentDecl[];
  readonly envRequired: readonly string[];
  readonly envOptional: Readonly<Record<string, string>>;
  readonly frameworkRequirements: Readonly<Record<string, string>>;
  readonly runtimeRequires: readonly string[];
  /** The script needs its sibling modules (whole source dir). */
  readonly needsSourceDir: boolean;
  readonly sink: boolean;
  readonly description: string;
}
