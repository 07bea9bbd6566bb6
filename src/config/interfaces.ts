/**
 * Step interfaces (`*.step.yaml`) from one or more search roots. Earlier roots win, so a project
 * can shadow a cursus interface; the plan says which file each step came from. The registry is
 * keyed by `step_type`, as cursus's own registry is derived from these files.
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { DagtestError } from "../errors.js";
import { findFiles } from "../util/find-files.js";
import { isObject } from "../util/guards.js";
import { canonicalKey } from "../util/suggest.js";
import { loadSource, type SourceDocument } from "./source.js";

/** One interface file, not yet merged with a job-type variant. */
export interface RawInterface {
  readonly stepType: string;
  readonly file: string;
  readonly doc: Readonly<Record<string, unknown>>;
  /** Interfaces this one shadows (same step type in a later root). */
  readonly shadowed: readonly string[];
}

export interface InterfaceRegistry {
  readonly roots: readonly string[];
  /** By canonical step type key (lowercase alphanumerics). */
  readonly byKey: ReadonlyMap<string, RawInterface>;
}

/** Glob every `*.step.yaml` under each root; the first root that defines a step type wins. */
export function loadInterfaceRegistry(roots: readonly string[]): InterfaceRegistry {
  const byKey = new Map<string, RawInterface>();
  for (const root of roots) {
    if (!existsSync(root) || !statSync(root).isDirectory()) {
      throw new DagtestError({
        code: "DAGTEST_INTERFACE_DIR_NOT_FOUND",
        message: `The interface search root ${root} does not exist or is not a folder.`,
        hint: "Point --interfaces (or `interfaces:` in dagtest.yaml) at the folder holding the *.step.yaml files.",
        location: { file: root },
      });
    }
    const files = findFiles(root, (file) => /\.step\.ya?ml$/.test(file)).sort();
    for (const file of files) addInterface(byKey, loadSource(file, "step interface"));
  }
  return { roots, byKey };
}

function addInterface(byKey: Map<string, RawInterface>, doc: SourceDocument): void {
  const data = doc.data;
  if (!isObject(data) || typeof data.step_type !== "string" || data.step_type.length === 0) {
    throw new DagtestError({
      code: "DAGTEST_INTERFACE_INVALID",
      message: `The step interface ${path.basename(doc.file)} has no \`step_type\`.`,
      hint: "Every *.step.yaml starts with `step_type: <PascalCaseName>`.",
      location: doc.locate(["step_type"]),
    });
  }
  const key = canonicalKey(data.step_type);
  const existing = byKey.get(key);
  if (existing) {
    byKey.set(key, { ...existing, shadowed: [...existing.shadowed, doc.file] });
    return;
  }
  byKey.set(key, { stepType: data.step_type, file: doc.file, doc: data, shadowed: [] });
}

export interface StepTypeMatch {
  readonly stepType: string;
  readonly iface: RawInterface;
  /** Everything after `<base>_` in the node name, or null. */
  readonly suffix: string | null;
}

/**
 * Node → step type by the longest `_`-separated prefix that is a known step type, compared
 * case- and separator-insensitively (cursus `resolve_base_step_name`).
 */
export function matchStepType(
  node: string,
  registry: InterfaceRegistry,
  fallback?: string,
): StepTypeMatch | null {
  const parts = node.split("_");
  for (let cut = parts.length; cut >= 1; cut--) {
    const iface = registry.byKey.get(canonicalKey(parts.slice(0, cut).join("_")));
    if (iface)
      return {
        stepType: iface.stepType,
        iface,
        suffix: cut < parts.length ? parts.slice(cut).join("_") : null,
      };
  }
  // A node named unlike its step type can still be matched through its config class
  // (`__model_type__` minus `Config`), the compile path cursus itself uses.
  const iface = fallback ? registry.byKey.get(canonicalKey(fallback)) : undefined;
  return iface ? { stepType: iface.stepType, iface, suffix: suffixAfter(node, iface.stepType) } : null;
}

function suffixAfter(node: string, stepType: string): string | null {
  const parts = node.split("_");
  for (let cut = parts.length; cut >= 1; cut--) {
    if (canonicalKey(parts.slice(0, cut).join("_")) === canonicalKey(stepType)) {
      return cut < parts.length ? parts.slice(cut).join("_") : null;
    }
  }
  return null;
}

const variantsOf = new WeakMap<RawInterface, readonly string[]>();

/** Variant keys present in an interface (`variants:` block), lowercased; read once per interface. */
export function variantKeys(raw: RawInterface): readonly string[] {
  let keys = variantsOf.get(raw);
  if (!keys) {
    keys = isObject(raw.doc.variants) ? Object.keys(raw.doc.variants).map((k) => k.toLowerCase()) : [];
    variantsOf.set(raw, keys);
  }
  return keys;
}
