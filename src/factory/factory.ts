/**
 * The interactive testing factory (the seeds' InteractiveRuntimeTestingFactory): turns a DAG and a
 * config into a ready-to-run test, asking only for what cannot be derived. Every answer is
 * validated at once; decisions are kept in dagtest.yaml, which `dagtest run` reads.
 *
 * @example
 * const factory = await createTestingFactory({ dag: "pipeline.dag.json", config: "config.json", project: "." });
 * for (const name of factory.getPendingScriptConfigurations()) {
 *   console.log(factory.getScriptTestingRequirements(name).missing);
 * }
 * factory.configureScriptTesting("TabularPreprocessing_training", { inputs: { DATA: "data/train" } });
 * factory.save();
 * const { results } = await factory.executeDagGuidedTesting();
 */
import type { Project } from "../config/project.js";
import { withNodeSettings } from "../config/project.js";
import type { NodeSettings } from "../config/spec-schema.js";
import { DagtestError } from "../errors.js";
import type { Plan, PlanNode, ScriptNode } from "../model/plan.js";
import { analyseNodes } from "../plan/analyse.js";
import { buildPlan } from "../plan/build.js";
import type { Facts } from "../plan/facts.js";
import { appendAll } from "../util/arrays.js";
import { didYouMean } from "../util/suggest.js";
import { executePlan } from "./execute.js";
import { outputSettings, settingsWith, settingsWithout } from "./settings.js";
import type { SpecDocument } from "./spec-document.js";
import { type DecisionSets, previewResolution, summarise } from "./summary.js";
import type {
  ExecutablePlan,
  ExecuteOptions,
  FactorySummary,
  GuidedTestingResult,
  PhantomSynthesis,
  ScriptConfiguration,
  ScriptResolutionPreview,
  ScriptTestingRequirements,
  SkippedNode,
  ValidationIssue,
} from "./types.js";
import { validateConfiguration } from "./validate.js";
import { missingFor, requirementsOf, unsuppliedPhantomOutputs } from "./views.js";

export class TestingFactory {
  readonly #project: Project;
  readonly #facts: Facts;
  readonly #spec: SpecDocument;
  #plan: Plan;
  /** Scripts the user configured in this session or in dagtest.yaml. */
  readonly #configured = new Set<string>();
  readonly #autoConfigured = new Set<string>();

  /** Use `createTestingFactory`; this takes an already loaded project and its facts. */
  constructor(project: Project, facts: Facts, spec: SpecDocument) {
    this.#project = project;
    this.#facts = facts;
    this.#spec = spec;
    this.#plan = this.#replan(spec.nodeSettings());
    for (const name of Object.keys(spec.nodeSettings())) this.#configured.add(name);
    // A saved dagtest.yaml accepted every script that needs nothing from the user: the same
    // state in `dagtest status` as in the `dagtest init` that wrote it.
    if (spec.saved) this.#acceptAutoConfigurable();
  }

  /** The current plan (re-derived after every change). */
  get plan(): Plan {
    return this.#plan;
  }

  /** Wall time of the Python static check made while creating the factory (not engine time). */
  get staticCheckMs(): number {
    return this.#facts.describeMs;
  }

  /** The loaded project (its folders and run settings), as `dagtest run` would load it. */
  get project(): Project {
    return this.#project;
  }

  /** The dagtest.yaml this factory reads and writes. */
  get specFile(): string {
    return this.#spec.file;
  }

  /**
   * Validated scripts only, in topological order: never a phantom.
   * @example factory.getScriptsRequiringTesting(); // ["TabularPreprocessing_training", "XGBoostTraining", ...]
   */
  getScriptsRequiringTesting(): string[] {
    return this.#scripts().map((n) => n.name);
  }

  /**
   * Every phantom node with the reason it cannot run locally.
   * @example factory.getSkippedNodes()[0]; // { node: "CradleDataLoading_training", reason: "needs-internal-sdk", detail: "..." }
   */
  getSkippedNodes(): SkippedNode[] {
    return this.#plan.nodes.flatMap((n) =>
      n.kind === "phantom" ? [{ node: n.name, reason: n.reason, detail: n.detail }] : [],
    );
  }

  /**
   * Inputs, outputs, env vars and job args of a script, each with its default and where it came from.
   * @example factory.getScriptTestingRequirements("TabularPreprocessing_training").env; // [{ name: "LABEL_FIELD", defaultValue: "is_fraud", source: "config", configField: "label_name", ... }]
   */
  getScriptTestingRequirements(name: string): ScriptTestingRequirements {
    return requirementsOf(this.#plan, this.#script(name));
  }

  /**
   * Validate a configuration without applying it; `[]` means it would be accepted.
   * @example factory.validateScriptConfiguration("Package", { env: { REGOIN: "EU" } }); // [{ field: "env.REGOIN", hint: 'Did you mean "REGION"? ...' }]
   */
  validateScriptConfiguration(name: string, config: ScriptConfiguration): ValidationIssue[] {
    const node = this.#node(name);
    const issues = validateConfiguration(node, config, this.#spec.dir);
    if (issues.length > 0 || node.kind === "phantom") return issues;
    // Giving values never opens a question: a script missing nothing now needs no trial plan.
    if (missingFor(this.#plan, name).length === 0) return [];
    const trial = this.#replan(settingsWith(this.#spec.nodeSettings(), node.name, config));
    const still = missingFor(trial, name).filter(
      (m) => !(config.inputs && m.field.slice(7) in config.inputs),
    );
    return still.map((m) => ({
      script: name,
      field: m.field,
      message: `${name}: ${m.field}: ${m.message}`,
      hint: `Give it: configureScriptTesting("${name}", { ${m.field.split(".")[0]}: { ${m.field.split(".")[1]}: <value> } }) (dagtest.yaml: ${m.answerAt}).`,
    }));
  }

  /**
   * Apply a script's configuration (config values stay defaults the user may override). Throws a
   * DagtestError (DAGTEST_INVALID_CONFIGURATION) listing every issue; nothing changes then.
   * On a phantom node, `outputs` says where the data it would produce is.
   * @example factory.configureScriptTesting("TabularPreprocessing_training", { inputs: { DATA: "data/train" }, env: { LABEL_FIELD: "label" } });
   */
  configureScriptTesting(name: string, config: ScriptConfiguration): ScriptTestingRequirements | null {
    const issues = this.validateScriptConfiguration(name, config);
    if (issues.length > 0) {
      throw new DagtestError({
        code: "DAGTEST_INVALID_CONFIGURATION",
        message: issues.map((i) => i.message).join("\n"),
        hint: issues.map((i) => i.hint).join("\n"),
      });
    }
    const node = this.#node(name);
    this.#write(node, config);
    this.#configured.add(name);
    this.#plan = this.#replan(this.#spec.nodeSettings());
    return node.kind === "script" ? this.getScriptTestingRequirements(name) : null;
  }

  /**
   * Answer every phantom output that feeds a script and has no data yet with data synthesized from
   * the config. Returns the dagtest.yaml keys it set.
   * @example factory.synthesizePhantomOutputs({ rows: 1000 }); factory.save();
   */
  synthesizePhantomOutputs(settings: PhantomSynthesis["synthesize"] = {}): string[] {
    const keys: string[] = [];
    for (const [node, ports] of unsuppliedPhantomOutputs(this.#plan)) {
      this.configureScriptTesting(node, {
        outputs: Object.fromEntries(ports.map((p) => [p, { synthesize: settings }])),
      });
      appendAll(
        keys,
        ports.map((p) => `nodes.${node}.outputs.${p}`),
      );
    }
    return keys;
  }

  /**
   * Scripts that still need an answer from the user.
   * @example for (const name of factory.getPendingScriptConfigurations()) console.log(factory.getScriptTestingRequirements(name).missing);
   */
  getPendingScriptConfigurations(): string[] {
    return this.#scripts()
      .filter((n) => missingFor(this.#plan, n.name).length > 0)
      .map((n) => n.name);
  }

  /**
   * A script needs no question when every required input is wired and every env var and arg has a value.
   * @example factory.canAutoConfigureScript("Package"); // true: its inputs come from upstream, its env from the config
   */
  canAutoConfigureScript(name: string): boolean {
    return missingFor(this.#plan, this.#script(name).name).length === 0;
  }

  /**
   * Mark a script auto-configured when it can be; returns whether it was.
   * @example if (!factory.autoConfigureScriptIfPossible("Package")) console.log(factory.getScriptTestingRequirements("Package").missing);
   */
  autoConfigureScriptIfPossible(name: string): boolean {
    if (!this.canAutoConfigureScript(name)) return false;
    if (!this.#configured.has(name)) this.#autoConfigured.add(name);
    return true;
  }

  /**
   * Every script's state (pending, partial, auto-configurable, auto-configured, complete), the
   * phantoms, and whether testing can start.
   * @example const { readyForTesting, pendingScripts } = factory.getTestingFactorySummary();
   */
  getTestingFactorySummary(): FactorySummary {
    return summarise(this.#plan, this.#decisions(), this.getSkippedNodes());
  }

  #decisions(): DecisionSets {
    return { configured: this.#configured, autoConfigured: this.#autoConfigured };
  }

  /**
   * Node → script path with a confidence, before anything runs.
   * @example factory.previewScriptResolution().filter((p) => p.confidence < 1); // found only by the search fallback, or phantoms
   */
  previewScriptResolution(): ScriptResolutionPreview[] {
    return previewResolution(this.#plan);
  }

  /**
   * The plan ready to run, without running it.
   * @example const compiled = factory.compileDagToScriptExecution(); console.log(compiled.plan.order); await compiled.execute();
   */
  compileDagToScriptExecution(): ExecutablePlan {
    const plan = this.#plan;
    const project = this.#project;
    return { plan, execute: (options = {}) => executePlan(project, plan, options) };
  }

  /**
   * Auto-configure what can be, refuse with the list of what is missing, otherwise run everything.
   * @example const { results, factory: summary } = await factory.executeDagGuidedTesting(); results.pipelineSuccess;
   */
  async executeDagGuidedTesting(options: ExecuteOptions = {}): Promise<GuidedTestingResult> {
    for (const name of this.getScriptsRequiringTesting()) this.autoConfigureScriptIfPossible(name);
    const summary = this.getTestingFactorySummary();
    if (!summary.readyForTesting) {
      const lines = summary.pendingScripts.flatMap((n) =>
        missingFor(this.#plan, n).map((m) => `${n}: ${m.message} (answer at ${m.answerAt})`),
      );
      const errors = this.#plan.problems.filter((p) => p.severity === "error").map((p) => p.message);
      throw new DagtestError({
        code: "DAGTEST_NOT_CONFIGURED",
        message: `Not ready to test:\n${[...lines, ...errors].join("\n")}`,
        hint: "Configure the scripts listed (configureScriptTesting, or `dagtest init`), then try again.",
      });
    }
    const results = await this.compileDagToScriptExecution().execute(options);
    return { results, factory: this.getTestingFactorySummary() };
  }

  /**
   * Write the user's decisions to dagtest.yaml (comments and order of the file are kept).
   * @example factory.configureScriptTesting("CradleDataLoading_training", { outputs: { DATA: "data/train" } }); factory.save();
   */
  save(): void {
    this.#spec.save();
    this.#acceptAutoConfigurable();
  }

  /** Saving accepts every script that needs nothing from the user (as a reload would see it). */
  #acceptAutoConfigurable(): void {
    for (const name of this.getScriptsRequiringTesting()) this.autoConfigureScriptIfPossible(name);
  }

  #write(node: PlanNode, config: ScriptConfiguration): void {
    const rel = (p: string) => this.#spec.relative(p);
    for (const [port, value] of Object.entries(outputSettings(config.outputs)))
      this.#spec.setNodeValue(node.name, "outputs", port, typeof value === "string" ? rel(value) : value);
    for (const [port, p] of Object.entries(config.inputs ?? {}))
      this.#spec.setNodeValue(node.name, "inputs", port, rel(p));
    if (node.kind !== "script") return;
    // A value equal to what dagtest derives (config, interface default) is not frozen into the
    // file, even when the file overrode it before: compared against the plan without that override.
    const bare = this.#withoutOverrides(node, config);
    for (const [name, value] of Object.entries(config.env ?? {})) {
      const same = bare?.env.find((e) => e.name === name)?.value === String(value);
      this.#spec.setNodeValue(node.name, "env", name, same ? null : value);
    }
    for (const [name, value] of Object.entries(config.jobArgs ?? {})) {
      const same = bare?.jobArgs.find((a) => a.attr === name)?.value === String(value);
      this.#spec.setNodeValue(node.name, "job_args", name, same ? null : value);
    }
  }

  /** The node as planned without the file's overrides of the env vars and job args being configured. */
  #withoutOverrides(node: ScriptNode, config: ScriptConfiguration): ScriptNode | undefined {
    const env = Object.keys(config.env ?? {});
    const args = Object.keys(config.jobArgs ?? {});
    const overridden =
      node.env.some((e) => env.includes(e.name) && e.source?.kind === "user") ||
      node.jobArgs.some((a) => args.includes(a.attr) && a.source?.kind === "user");
    if (!overridden) return node;
    const settings = settingsWithout(this.#spec.nodeSettings(), node.name, env, args);
    const bare = this.#replan(settings).nodes.find((n) => n.name === node.name);
    return bare?.kind === "script" ? bare : undefined;
  }

  /** Pure re-planning with the facts gathered once: fast enough to run on every answer. */
  #replan(settings: Record<string, NodeSettings>): Plan {
    const project = withNodeSettings(this.#project, settings);
    return buildPlan(project, analyseNodes(project), this.#facts);
  }

  #scripts(): ScriptNode[] {
    return this.#plan.nodes.filter((n): n is ScriptNode => n.kind === "script");
  }

  #node(name: string): PlanNode {
    const node = this.#plan.nodes.find((n) => n.name === name);
    if (node) return node;
    throw new DagtestError({
      code: "DAGTEST_UNKNOWN_NODE",
      message: `"${name}" is not a node of this pipeline.${didYouMean(name, this.#plan.order)}`,
      hint: `Scripts: ${this.getScriptsRequiringTesting().join(", ") || "(none)"}.`,
    });
  }

  #script(name: string): ScriptNode {
    const node = this.#node(name);
    if (node.kind === "script") return node;
    throw new DagtestError({
      code: "DAGTEST_UNKNOWN_NODE",
      message: `"${name}" is a phantom (${node.reason}: ${node.detail}), not a script.${didYouMean(name, this.getScriptsRequiringTesting())}`,
      hint: "Phantoms are listed by getSkippedNodes(); configure a phantom's outputs with configureScriptTesting(name, { outputs }).",
    });
  }
}
