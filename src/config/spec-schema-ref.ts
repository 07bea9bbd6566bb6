/**
 * The dagtest.yaml schema, loaded only when a spec must be validated. The schema library (zod)
 * is most of an unchanged rerun's start-up, so a spec whose text was validated before is read
 * back from the parse cache (`.dagtest/cache/parsed.json`) and zod is not loaded at all.
 *
 * Any module that imports `spec-schema.ts` registers the schema (config/eager.ts, the factory);
 * the CLI loads projects under `withLazyModules` (lazy.ts), which loads it when a spec needs it.
 */
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ModuleNotLoaded } from "./lazy.js";
import type { ExecutionSettings, executionDefaults, Spec, specSchema } from "./spec-schema.js";

/** What validation needs of the schema module. */
export interface SpecSchemaModule {
  readonly specSchema: typeof specSchema;
  readonly executionDefaults: typeof executionDefaults;
}

/** A validated spec: the schema's defaults applied, `run:` complete. */
export type ValidatedSpec = Spec & { readonly run: ExecutionSettings };

let registered: SpecSchemaModule | null = null;

export function registerSpecSchema(schema: SpecSchemaModule): void {
  registered = schema;
}

export async function loadSpecSchema(): Promise<void> {
  if (!registered) registerSpecSchema(await import("./spec-schema.js"));
}

export function specSchemaOrThrow(): SpecSchemaModule {
  if (!registered) throw new ModuleNotLoaded("the dagtest.yaml schema", loadSpecSchema);
  return registered;
}

let fingerprint: string | undefined;

/**
 * What a validated spec depends on besides its text: the schema's code (its file's size and
 * time, or the bundle's, which holds it; an upgrade rewrites either). Part of the cache key.
 */
export function schemaFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const candidates = ["./spec-schema.js", "./spec-schema.ts", import.meta.url];
  for (const candidate of candidates) {
    try {
      const stat = statSync(fileURLToPath(new URL(candidate, import.meta.url)));
      fingerprint = `${stat.size}:${stat.mtimeMs}`;
      return fingerprint;
    } catch {
      // not this layout (dist, sources under tsx, or one bundle): try the next
    }
  }
  fingerprint = `unknown:${Date.now()}`; // never a hit
  return fingerprint;
}
