/**
 * A port of cursus's dependency-compatibility score
 * (`core/deps/dependency_resolver.py:_calculate_compatibility`): how well one upstream output can
 * feed one dependency. dagtest uses it to wire DAG nodes the way cursus would, and keeps a
 * breakdown and readable reasons so a surprising edge can be explained to the user.
 */
import type { DependencyType, InterfaceInput, InterfaceOutput, PortDataType } from "../model/interface.js";
import { bestNameMatch } from "./semantic.js";

/** Each component's contribution to the score (before the cap). */
export interface ScoreBreakdown {
  readonly type: number;
  readonly dataType: number;
  readonly name: number;
  readonly exactName: number;
  readonly sources: number;
  readonly keywords: number;
}

export interface Compatibility {
  /** In [0, 1], rounded to 4 decimals; 0 when the types are incompatible. */
  readonly score: number;
  readonly breakdown: ScoreBreakdown;
  readonly reasons: readonly string[];
}

/** cursus only keeps a candidate edge whose score is strictly greater than this. */
export const WIRE_THRESHOLD = 0.5;

/** Output types each dependency type accepts (an equal type scores more than a compatible one). */
const COMPATIBLE_TYPES: Readonly<Record<DependencyType, readonly DependencyType[]>> = {
  model_artifacts: ["model_artifacts"],
  training_data: ["processing_output", "training_data"],
  processing_output: ["processing_output", "training_data"],
  hyperparameters: ["hyperparameters", "custom_property"],
  payload_samples: ["payload_samples", "processing_output"],
  custom_property: ["custom_property"],
};

const COMPATIBLE_DATA_TYPES: Readonly<Record<PortDataType, readonly PortDataType[]>> = {
  S3Uri: ["S3Uri", "String"],
  String: ["String", "S3Uri"],
  Integer: ["Integer", "Float"],
  Float: ["Float", "Integer"],
  Boolean: ["Boolean"],
};

/** Old step names still found in `compatible_sources` (cursus `StepCatalogMapper.LEGACY_ALIASES`). */
const LEGACY_STEP_NAMES: ReadonlyMap<string, string> = new Map([
  ["MIMSPackaging", "Package"],
  ["MIMSPayload", "Payload"],
  ["ModelRegistration", "Registration"],
  ["PytorchTraining", "PyTorchTraining"],
  ["PytorchModel", "PyTorchModel"],
]);

const WEIGHT = {
  sameType: 0.4,
  compatibleType: 0.2,
  sameDataType: 0.2,
  compatibleDataType: 0.1,
  name: 0.25,
  exactName: 0.05,
  listedSource: 0.1,
  unlistedSource: -0.1,
  noSourcesDeclared: 0.05,
  keywords: 0.05,
} as const;

const ZERO: ScoreBreakdown = { type: 0, dataType: 0, name: 0, exactName: 0, sources: 0, keywords: 0 };

/** A component's contribution plus the reason to show, or null when it contributed nothing. */
interface Part {
  readonly value: number;
  readonly reason: string | null;
}

function signed(value: number): string {
  return `${value < 0 ? "-" : "+"}${Math.abs(value).toFixed(2)}`;
}

function part(value: number, text: string): Part {
  return { value, reason: value === 0 ? null : `${text} (${signed(value)})` };
}

function typePart(dep: DependencyType, out: DependencyType): Part | null {
  if (dep === out) return part(WEIGHT.sameType, `type ${dep} = ${out}`);
  if (COMPATIBLE_TYPES[dep].includes(out)) return part(WEIGHT.compatibleType, `type ${dep} ~ ${out}`);
  return null;
}

function dataTypePart(dep: PortDataType, out: PortDataType): Part {
  if (dep === out) return part(WEIGHT.sameDataType, `data type ${dep} = ${out}`);
  if (COMPATIBLE_DATA_TYPES[dep].includes(out)) {
    return part(WEIGHT.compatibleDataType, `data type ${dep} ~ ${out}`);
  }
  return part(0, "");
}

function namePart(dependency: InterfaceInput, output: InterfaceOutput): Part {
  const best = bestNameMatch(dependency.name, [output.name, ...output.aliases]);
  const similarity = best?.similarity ?? 0;
  const text = `name '${dependency.name}' ~ '${best?.candidate ?? output.name}' ${similarity.toFixed(2)}`;
  return part(similarity * WEIGHT.name, text);
}

function exactNamePart(dependency: InterfaceInput, output: InterfaceOutput): Part {
  if (dependency.name === output.name) return part(WEIGHT.exactName, `exact name '${dependency.name}'`);
  if (output.aliases.includes(dependency.name)) {
    return part(WEIGHT.exactName, `'${dependency.name}' is an alias of ${output.name}`);
  }
  return part(0, "");
}

/**
 * The base step type cursus compares against `compatible_sources`: the job-type suffix
 * (`TabularPreprocessing_Training`) is dropped, as the registry lookup does.
 */
function baseStepType(stepType: string): string {
  const cut = stepType.indexOf("_");
  return cut > 0 ? stepType.slice(0, cut) : stepType;
}

/** `PayloadStep` ≡ `Payload`, `MIMSPayload` ≡ `Payload`. Case-sensitive, like cursus. */
function canonicalSource(name: string): string {
  const stripped =
    name.length > "Step".length && name.endsWith("Step") ? name.slice(0, -"Step".length) : name;
  return LEGACY_STEP_NAMES.get(stripped) ?? stripped;
}

/** True when the provider's step type (or a legacy/`…Step` spelling of it) is listed. */
export function isCompatibleSource(providerStepType: string, compatibleSources: readonly string[]): boolean {
  const provider = canonicalSource(baseStepType(providerStepType));
  return compatibleSources.some((source) => canonicalSource(source) === provider);
}

function sourcesPart(dependency: InterfaceInput, providerStepType: string): Part {
  if (dependency.compatibleSources.length === 0) {
    return part(WEIGHT.noSourcesDeclared, "no compatible_sources declared");
  }
  if (isCompatibleSource(providerStepType, dependency.compatibleSources)) {
    return part(WEIGHT.listedSource, `provider ${providerStepType} is a compatible source`);
  }
  return part(WEIGHT.unlistedSource, `provider ${providerStepType} not in compatible_sources`);
}

/** Fraction of the dependency's keywords found (case-insensitively) inside the output's name. */
function keywordsPart(dependency: InterfaceInput, output: InterfaceOutput): Part {
  const keywords = dependency.semanticKeywords;
  if (keywords.length === 0) return part(0, "");
  const outputName = output.name.toLowerCase();
  const hits = keywords.filter((keyword) => outputName.includes(keyword.toLowerCase())).length;
  return part(
    (hits / keywords.length) * WEIGHT.keywords,
    `keywords ${hits}/${keywords.length} in output name`,
  );
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/**
 * Score how well `output` of a provider whose base step type is `providerStepType` can feed
 * `dependency`. 0 when the types are incompatible.
 *
 * Components: type (+0.4 equal / +0.2 compatible / else 0 overall), data type (+0.2 / +0.1),
 * 0.25 × best name similarity over the output's name and aliases, +0.05 for an exact name or
 * alias match, compatible sources (+0.1 listed / −0.1 not listed / +0.05 none declared), and
 * 0.05 × the fraction of keywords contained in the output name. Capped at 1.
 */
export function scoreCompatibility(
  dependency: InterfaceInput,
  output: InterfaceOutput,
  providerStepType: string,
): Compatibility {
  const type = typePart(dependency.type, output.type);
  if (type === null) {
    const reason = `type ${dependency.type} incompatible with ${output.type}`;
    return { score: 0, breakdown: ZERO, reasons: [reason] };
  }
  const parts = {
    type,
    dataType: dataTypePart(dependency.dataType, output.dataType),
    name: namePart(dependency, output),
    exactName: exactNamePart(dependency, output),
    sources: sourcesPart(dependency, providerStepType),
    keywords: keywordsPart(dependency, output),
  };
  const ordered = [parts.type, parts.dataType, parts.name, parts.exactName, parts.sources, parts.keywords];
  // Summed in cursus's order so the floating-point total matches.
  const raw = ordered.reduce((sum, p) => sum + p.value, 0);
  const reasons = ordered.flatMap((p) => (p.reason === null ? [] : [p.reason]));
  if (raw > 1) reasons.push(`capped at 1.0 (raw ${raw.toFixed(4)})`);
  return {
    score: round4(Math.min(raw, 1)),
    breakdown: {
      type: parts.type.value,
      dataType: parts.dataType.value,
      name: parts.name.value,
      exactName: parts.exactName.value,
      sources: parts.sources.value,
      keywords: parts.keywords.value,
    },
    reasons,
  };
}
