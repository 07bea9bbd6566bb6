/** Finding, reading and validating `dagtest.yaml`, with the YAML line of every schema problem. */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { z } from "zod";
import { DagtestError, formatLocation, type SourceLocation } from "../errors.js";
import { parseCache } from "./parse-cache.js";
import { loadSource, type ParseOptions, parseSource, type SourceDocument } from "./source.js";
import { schemaFingerprint, specSchemaOrThrow, type ValidatedSpec } from "./spec-schema-ref.js";

export const SPEC_FILE_NAME = "dagtest.yaml";

/** A validated spec and where it lives. */
export interface LoadedSpec {
  readonly file: string;
  /** The folder holding the spec: relative paths in it are relative to this. */
  readonly dir: string;
  readonly spec: ValidatedSpec;
  readonly document: SourceDocument;
}

/** `PATH` may be the spec file or a folder holding `dagtest.yaml`. */
export function resolveSpecPath(target: string): string {
  const absolute = path.resolve(target);
  if (existsSync(absolute) && statSync(absolute).isDirectory()) {
    const file = path.join(absolute, SPEC_FILE_NAME);
    if (!existsSync(file)) {
      throw new DagtestError({
        code: "DAGTEST_SPEC_NOT_FOUND",
        message: `There is no ${SPEC_FILE_NAME} in ${absolute}.`,
        hint: "Create one with `dagtest init`, name the file itself, or plan directly with `dagtest plan --dag FILE`.",
        location: { file: absolute },
      });
    }
    return file;
  }
  return absolute;
}

/** The smallest valid spec, shown when a spec is empty. */
export const SMALLEST_SPEC = "version: 1\ndag: pipeline.dag.json";

/** Whatever its name (`/dev/null`, `spec.txt`), a spec is YAML, which also reads JSON. */
const SPEC_PARSE: ParseOptions = {
  yaml: true,
  emptyHint: `The smallest valid ${SPEC_FILE_NAME} is:\n\n    ${SMALLEST_SPEC.replace("\n", "\n    ")}\n\n  (\`dagtest init\` writes one for you; README: 'dagtest.yaml').`,
};

/** The most problems listed in one error; the rest are counted. */
const MAX_LISTED = 50;

/** Read and validate a spec file. */
export function loadSpec(file: string): LoadedSpec {
  return validateSpec(loadSource(file, "test spec", SPEC_PARSE));
}

/** Validate a spec held in memory (text not yet saved), as if it were read from `file`. */
export function parseSpecText(file: string, text: string): LoadedSpec {
  return validateSpec(parseSource(file, text, "test spec", SPEC_PARSE));
}

function validateSpec(document: SourceDocument): LoadedSpec {
  const file = document.file;
  return { file, dir: path.dirname(file), spec: validatedData(document), document };
}

/**
 * The spec with the schema's defaults applied. A text validated before is read back from the
 * parse cache (keyed by the text and the schema's fingerprint), so the schema is not loaded.
 */
function validatedData(document: SourceDocument): ValidatedSpec {
  const cache = parseCache();
  const key = `\0validated dagtest.yaml ${schemaFingerprint()}\0${document.text}`;
  const hit = cache?.get(key);
  if (hit) return hit.data as ValidatedSpec;
  const schema = specSchemaOrThrow();
  const parsed = schema.specSchema.safeParse(document.data ?? {});
  if (!parsed.success) throw specError(document, parsed.error);
  const spec: ValidatedSpec = { ...parsed.data, run: schema.executionDefaults(parsed.data.run) };
  cache?.put(key, spec);
  return spec;
}

/** Every schema problem, each with its path and line; the error is located at the first. */
function specError(document: SourceDocument, error: z.ZodError): DagtestError {
  const problems = error.issues
    .map((issue) => locateIssue(document, issue))
    .sort(
      (a, b) =>
        (a.location.line ?? 0) - (b.location.line ?? 0) ||
        (a.location.column ?? 0) - (b.location.column ?? 0),
    );
  const name = path.basename(document.file);
  const first = problems[0]!;
  let message = `${name}: ${first.text}.`;
  if (problems.length > 1) {
    const listed = problems
      .slice(0, MAX_LISTED)
      .map((p) => `\n  ${formatLocation({ ...p.location, file: name })}: ${p.text}`);
    const more = problems.length > MAX_LISTED ? `\n  … and ${problems.length - MAX_LISTED} more` : "";
    message = `${name} has ${problems.length} problems:${listed.join("")}${more}`;
  }
  return new DagtestError({
    code: "DAGTEST_SPEC_INVALID",
    message,
    hint: "Fix the fields shown; the schema is schema/dagtest.schema.json in the dagtest package (README: 'dagtest.yaml').",
    location: first.location,
  });
}

function locateIssue(
  document: SourceDocument,
  issue: z.core.$ZodIssue,
): { text: string; location: SourceLocation } {
  const at = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  const where = at.length > 0 ? at.join(".") : "the top level";
  // zod puts an unknown field's path on its parent object; point at the field itself.
  const unknownKey = issue.code === "unrecognized_keys" ? issue.keys[0] : undefined;
  const location =
    unknownKey === undefined ? document.locate(at) : document.locate([...at, unknownKey], { key: true });
  const missing = unknownKey === undefined && at.length > 0 && valueAt(document.data, at) === undefined;
  const text = missing ? `${where}: missing (${describeIssue(issue)})` : `${where}: ${describeIssue(issue)}`;
  return { text, location };
}

function valueAt(data: unknown, at: readonly (string | number)[]): unknown {
  let value = data;
  for (const segment of at) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys")
    return `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  return issue.message;
}
