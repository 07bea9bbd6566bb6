/**
 * Immediate validation of what a user configures: unknown names (with a did-you-mean), wrong
 * types, paths that do not exist. Each issue names the script, the field and the fix.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { synthesizeSettings } from "../config/spec-schema.js";
import type { PlanNode } from "../model/plan.js";
import { closestNames } from "../util/suggest.js";
import type { PhantomSynthesis, ScriptConfiguration, ValidationIssue } from "./types.js";

export function isSynthesis(value: unknown): value is PhantomSynthesis {
  return typeof value === "object" && value !== null && "synthesize" in value;
}

export function validateConfiguration(
  node: PlanNode,
  config: ScriptConfiguration,
  baseDir: string,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const issue = (field: string, message: string, hint: string) =>
    issues.push({ script: node.name, field, message: `${node.name}: ${field}: ${message}`, hint });
  const checkNames = (
    section: string,
    given: Readonly<Record<string, unknown>> | undefined,
    known: readonly string[],
    what: string,
  ) => {
    for (const name of Object.keys(given ?? {})) {
      if (known.includes(name)) continue;
      const close = closestNames(name, known);
      issue(
        `${section}.${name}`,
        `${node.name} has no ${what} "${name}".`,
        close.length > 0
          ? `Did you mean "${close[0]}"? Known: ${known.join(", ")}.`
          : `Known: ${known.join(", ") || "(none)"}.`,
      );
    }
  };
  const checkPaths = (section: string, given: Readonly<Record<string, unknown>> | undefined) => {
    for (const [name, value] of Object.entries(given ?? {})) {
      if (typeof value !== "string" || value.length === 0) {
        issue(
          `${section}.${name}`,
          `expected a path (a string), got ${JSON.stringify(value)}.`,
          "Give the folder or file that holds the data.",
        );
      } else if (!existsSync(path.resolve(baseDir, value))) {
        issue(
          `${section}.${name}`,
          `the path ${value} does not exist (resolved from ${baseDir}).`,
          "Create it, or give an existing folder (relative paths are relative to the folder holding dagtest.yaml).",
        );
      }
    }
  };
  const checkScalars = (section: string, given: Readonly<Record<string, unknown>> | undefined) => {
    for (const [name, value] of Object.entries(given ?? {})) {
      if (!["string", "number", "boolean"].includes(typeof value)) {
        issue(
          `${section}.${name}`,
          `expected a string, number or boolean, got ${value === null ? "null" : typeof value}.`,
          "Env values and job args reach the script as strings.",
        );
      }
    }
  };
  if (node.kind === "phantom") {
    for (const section of ["inputs", "env", "jobArgs"] as const) {
      if (config[section] && Object.keys(config[section]).length > 0) {
        issue(
          section,
          `${node.name} is a phantom (${node.reason}): it never runs, so it takes no ${section}.`,
          "Give only `outputs`: where the data it would have produced is.",
        );
      }
    }
    checkNames("outputs", config.outputs, Object.keys(node.suppliedOutputs), "output");
    const paths = Object.entries(config.outputs ?? {}).filter(([, v]) => !isSynthesis(v));
    checkPaths("outputs", Object.fromEntries(paths));
    for (const [port, value] of Object.entries(config.outputs ?? {})) {
      const parsed = isSynthesis(value) ? synthesizeSettings.safeParse(value.synthesize) : null;
      if (parsed && !parsed.success)
        issue(
          `outputs.${port}`,
          `synthesize: ${parsed.error.issues.map((i) => `${i.path.join(".") || "settings"}: ${i.message}`).join("; ")}.`,
          "Give { synthesize: { rows: 500, seed: 1 } } (rows from 10; columns: name → numeric, categorical, text, date, id or label).",
        );
    }
    return issues;
  }
  if (config.outputs && Object.keys(config.outputs).length > 0) {
    issue(
      "outputs",
      "a script's outputs are written by dagtest under .dagtest/runs/<run>/<node>/out/<port>; there is nothing to configure.",
      "Configure the inputs; to supply data a phantom would produce, configure the phantom node's outputs.",
    );
  }
  checkNames(
    "inputs",
    config.inputs,
    node.inputs.map((i) => i.name),
    "input",
  );
  checkPaths("inputs", config.inputs);
  const envNames = [...new Set([...node.env.map((e) => e.name), ...(node.check?.envKeys ?? [])])];
  checkNames("env", config.env, envNames, "env var");
  checkScalars("env", config.env);
  const argNames = [...new Set([...node.jobArgs.map((a) => a.attr), ...(node.check?.jobArgAttrs ?? [])])];
  checkNames("jobArgs", config.jobArgs, argNames, "job arg");
  checkScalars("jobArgs", config.jobArgs);
  return issues;
}
