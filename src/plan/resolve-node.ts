/** Deciding, from the analysis and the facts, whether a node is a runnable script or a phantom. */
import path from "node:path";
import type { ErrorCode } from "../errors.js";
import type { PhantomReason, Problem, ScriptLocation } from "../model/plan.js";
import type { ScriptFacts } from "../model/script-facts.js";
import { appendAll } from "../util/arrays.js";
import type { NodeContext, ScriptCandidate } from "./analyse.js";
import type { Facts } from "./facts.js";
import { problem } from "./problems.js";

/** The problem code of a script the static check could not read. */
const SCRIPT_ERROR_CODE: Readonly<Record<"syntax" | "unreadable" | "not-found", ErrorCode>> = {
  syntax: "DAGTEST_SCRIPT_SYNTAX",
  unreadable: "DAGTEST_SCRIPT_UNREADABLE",
  "not-found": "DAGTEST_SCRIPT_NOT_FOUND",
};

export type Resolution =
  | { readonly kind: "script"; readonly location: ScriptLocation; readonly facts: ScriptFacts | null }
  | {
      readonly kind: "phantom";
      readonly reason: PhantomReason;
      readonly detail: string;
      readonly searched: readonly string[];
    };

/** Fewest parameters a testable `main(input_paths, output_paths, environ_vars, job_args)` takes. */
const MAIN_ARITY = 4;

export function resolveNode(ctx: NodeContext, facts: Facts, problems: Problem[]): Resolution {
  if (ctx.early) return { kind: "phantom", reason: ctx.early.reason, detail: ctx.early.detail, searched: [] };
  const location = locateScript(ctx, facts);
  if (!location.found) {
    const folder = ctx.candidates.find((c) => facts.notFiles.has(c.path));
    const what = folder
      ? `${folder.path} is a folder, not a script file`
      : ctx.entryPoint
        ? `${ctx.entryPoint} was not found`
        : "no entry point is known";
    const given = ctx.candidates[0]?.path;
    if (given !== undefined && (ctx.candidates[0]?.rule === "spec-override" || ctx.plain)) {
      const folder = facts.notFiles.has(given);
      problems.push(
        problem(
          "error",
          "DAGTEST_SCRIPT_NOT_FOUND",
          folder
            ? `The script ${given} of node "${ctx.name}" is a folder, not a Python file.`
            : `The script ${given} of node "${ctx.name}" does not exist.`,
          {
            node: ctx.name,
            hint: folder
              ? "Name the script file itself (e.g. steps/train/train.py), not the folder holding it."
              : "Fix the script path in dagtest.yaml (it is relative to the folder holding dagtest.yaml).",
          },
        ),
      );
    }
    return { kind: "phantom", reason: "script-not-found", detail: what, searched: location.searched };
  }
  if (location.others?.length) {
    problems.push(
      problem(
        "warning",
        "DAGTEST_SCRIPT_AMBIGUOUS",
        `Node "${ctx.name}": the search found ${location.others.length + 1} files named ${ctx.entryPoint}; using ${location.path}.`,
        {
          node: ctx.name,
          hint: `Others: ${location.others.join(", ")}. Set nodes.${ctx.name}.script or a \`paths:\` remap to choose.`,
        },
      ),
    );
  }
  const described = facts.describe?.ok ? (facts.describe.result.scripts[location.path] ?? null) : null;
  if (described && !described.ok) {
    const { error } = described;
    problems.push(
      problem(
        "error",
        SCRIPT_ERROR_CODE[error.kind],
        `The script of node "${ctx.name}" cannot be parsed: ${error.message}`,
        {
          node: ctx.name,
          hint:
            error.kind === "syntax"
              ? "Fix the syntax error at the line shown; the rest of the plan is still valid."
              : "Check the file's permissions.",
          location: {
            file: location.path,
            ...(error.line ? { line: error.line } : {}),
            ...(error.column ? { column: error.column } : {}),
          },
        },
      ),
    );
  } else if (described?.ok) {
    const main = described.main;
    if (!main || (main.params.length < MAIN_ARITY && !main.varArgs)) {
      const detail = main
        ? `main(${main.params.join(", ")}) takes ${main.params.length} parameter(s); a testable main takes input_paths, output_paths, environ_vars, job_args`
        : "the script defines no top-level main()";
      return { kind: "phantom", reason: "no-main", detail, searched: location.searched };
    }
  }
  return { kind: "script", location: scriptLocation(location), facts: described };
}

const locations = new WeakMap<Located, ScriptLocation>();

/** Where a script was found: one record for every node that found it the same way. */
function scriptLocation(location: Extract<Located, { found: true }>): ScriptLocation {
  let script = locations.get(location);
  if (!script) {
    script = {
      path: location.path,
      rule: location.rule,
      sourceDir: path.dirname(location.path),
      searched: location.searched,
    };
    locations.set(location, script);
  }
  return script;
}

type Located =
  | {
      readonly found: true;
      readonly path: string;
      readonly rule: ScriptLocation["rule"];
      readonly searched: readonly string[];
      readonly others?: readonly string[];
    }
  | { readonly found: false; readonly searched: readonly string[] };

const located = new WeakMap<Facts, WeakMap<readonly ScriptCandidate[], Map<string | null, Located>>>();

/**
 * Where the script is. Nodes of one step type share their candidate list (analyse.ts), so the
 * search is looked up once per list and entry point, and its answer shared.
 */
function locateScript(ctx: NodeContext, facts: Facts): Located {
  let byCandidates = located.get(facts);
  if (!byCandidates) {
    byCandidates = new WeakMap();
    located.set(facts, byCandidates);
  }
  let byEntry = byCandidates.get(ctx.candidates);
  if (!byEntry) {
    byEntry = new Map();
    byCandidates.set(ctx.candidates, byEntry);
  }
  let found = byEntry.get(ctx.entryPoint);
  if (!found) {
    found = search(ctx, facts);
    byEntry.set(ctx.entryPoint, found);
  }
  return found;
}

function search(ctx: NodeContext, facts: Facts): Located {
  const searched: string[] = [];
  for (const candidate of ctx.candidates) {
    searched.push(candidate.path);
    if (facts.existing.has(candidate.path))
      return { found: true, path: candidate.path, rule: candidate.rule, searched };
  }
  const hits =
    ctx.entryPoint && ctx.candidates[0]?.rule !== "spec-override"
      ? (facts.fallback.get(ctx.entryPoint) ?? [])
      : [];
  if (ctx.entryPoint && facts.fallback.has(ctx.entryPoint)) {
    appendAll(
      searched,
      facts.scriptRoots.map((root) => path.join(root, "**", ctx.entryPoint!)),
    );
  }
  if (hits.length > 0)
    return { found: true, path: hits[0]!, rule: "search-fallback", searched, others: hits.slice(1) };
  return { found: false, searched };
}
