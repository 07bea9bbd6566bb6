/** `dagtest plan [PATH]` and `dagtest plan --dag FILE ...`: print the plan, exit 1 when it has errors. */
import { existsSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { withLazyModules } from "../../config/lazy.js";
import { loadDirectProject, loadSpecProject, type Project } from "../../config/project-load.js";
import { resolveSpecPath, SPEC_FILE_NAME } from "../../config/spec.js";
import { DagtestError } from "../../errors.js";
import type { Plan } from "../../model/plan.js";
import { planProject } from "../../plan/build.js";
import { rememberedFacts } from "../../plan/facts.js";
import { renderPlan } from "../../reporters/plan-text.js";
import type { CommandResult } from "../result.js";
import { explainCache } from "./explain-cache.js";

export interface ProjectOptions {
  dag?: string;
  config?: string;
  interfaces?: string[];
  scripts?: string[];
  projectRoot?: string;
  python?: string;
}

interface PlanOptions extends ProjectOptions {
  json?: boolean;
  verbose?: boolean;
  explainCache?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The options that say where a pipeline is, shared by every command that loads one. */
export function addProjectOptions(command: Command): Command {
  return command
    .option("--dag <file>", "plan directly from a DAG file (cursus *.dag.json or plain {nodes, edges})")
    .option("--config <file>", "the cursus pipeline config JSON (with --dag)")
    .option("--interfaces <dir>", "a step interface search root; repeat for more (earlier wins)", collect)
    .option("--scripts <dir>", "a folder to search for scripts; repeat for more", collect)
    .option("--project-root <dir>", "the deployed project root that config source dirs are relative to")
    .option("--python <path>", "the Python interpreter that runs the scripts");
}

export function registerPlan(program: Command, done: (result: CommandResult) => void): void {
  addProjectOptions(
    program
      .command("plan")
      .argument("[path]", `a ${SPEC_FILE_NAME} or a folder holding one`)
      .description("find the scripts, derive what each needs, wire outputs to inputs, and print the plan"),
  )
    .option("--json", "print the plan as JSON (docs/plan-json.md)")
    .option("-v, --verbose", "show why each wire was chosen")
    .option(
      "--explain-cache <node>",
      "print the node's cache fingerprint: every input to it, and whether it is stored",
    )
    .action(async (target: string | undefined, options: PlanOptions) => {
      const project = await loadProject(target, options);
      const plan = await planProject(project, rememberedFacts(project));
      if (options.explainCache) {
        done(explainCache(project, plan, options.explainCache, options.json ?? false));
        return;
      }
      const text = options.json
        ? `${JSON.stringify(plan, null, 2)}\n`
        : renderPlan(plan, { verbose: options.verbose ?? false });
      done({ stdout: text, exitCode: planExitCode(plan) });
    });
}

export function planExitCode(plan: Plan): number {
  return plan.summary.errors > 0 ? 1 : 0;
}

/** A project from PATH (spec file or folder), from --dag, or from ./dagtest.yaml. */
export async function loadProject(target: string | undefined, options: ProjectOptions): Promise<Project> {
  if (target && options.dag) {
    throw new DagtestError({
      code: "DAGTEST_USAGE",
      message: "Give either a dagtest.yaml PATH or --dag, not both.",
      hint: "Use `dagtest plan dagtest.yaml`, or `dagtest plan --dag pipeline.dag.json --config config.json --interfaces DIR`.",
    });
  }
  const dag = options.dag;
  if (dag) {
    return withLazyModules(() =>
      loadDirectProject({
        dag,
        config: options.config,
        interfaces: options.interfaces,
        scripts: options.scripts,
        projectRoot: options.projectRoot,
        python: options.python,
      }),
    );
  }
  const spec = target ?? (existsSync(SPEC_FILE_NAME) ? SPEC_FILE_NAME : undefined);
  if (!spec) {
    throw new DagtestError({
      code: "DAGTEST_SPEC_NOT_FOUND",
      message: `There is no ${SPEC_FILE_NAME} in ${process.cwd()} and no --dag was given.`,
      hint: "Name a dagtest.yaml (or its folder), or plan directly: `dagtest plan --dag FILE [--config FILE] [--interfaces DIR]`.",
    });
  }
  const file = resolveSpecPath(path.resolve(spec));
  // The YAML parser and the schema (zod) are loaded only when a text was not read before.
  return withLazyModules(() => loadSpecProject(file, { python: options.python }));
}
