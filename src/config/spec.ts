/** Finding, reading and validating `dagtest.yaml`, with the YAML line of every schema problem. */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { z } from "zod";
import { DagtestError } from "../errors.js";
import { loadSource, parseSource, type SourceDocument } from "./source.js";
import { type Spec, specSchema } from "./spec-schema.js";

export const SPEC_FILE_NAME = "dagtest.yaml";

/** A validated spec and where it lives. */
export interface LoadedSpec {
  readonly file: string;
  /** The folder holding the spec: relative paths in it are relative to this. */
  readonly dir: string;
  readonly spec: Spec;
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

/** Read and validate a spec file. */
export function loadSpec(file: string): LoadedSpec {
  return validateSpec(loadSource(file, "test spec"));
}

/** Validate a spec held in memory (text not yet saved), as if it were read from `file`. */
export function parseSpecText(file: string, text: string): LoadedSpec {
  return validateSpec(parseSource(file, text, "test spec"));
}

function validateSpec(document: SourceDocument): LoadedSpec {
  const file = document.file;
  const parsed = specSchema.safeParse(document.data ?? {});
  if (!parsed.success) throw specError(document, parsed.error);
  return { file, dir: path.dirname(file), spec: parsed.data, document };
}

function specError(document: SourceDocument, error: z.ZodError): DagtestError {
  const issue = error.issues[0]!;
  const at = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  const where = at.length > 0 ? at.join(".") : "the top level";
  // zod puts an unknown field's path on its parent object; point at the field itself.
  const unknownKey = issue.code === "unrecognized_keys" ? issue.keys[0] : undefined;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem(s))` : "";
  return new DagtestError({
    code: "DAGTEST_SPEC_INVALID",
    message: `${path.basename(document.file)}: ${where}: ${describeIssue(issue)}${more}.`,
    hint: "Fix the field shown; the schema is schema/dagtest.schema.json in the dagtest package (README: 'dagtest.yaml').",
    location:
      unknownKey === undefined ? document.locate(at) : document.locate([...at, unknownKey], { key: true }),
  });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys")
    return `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  return issue.message;
}
