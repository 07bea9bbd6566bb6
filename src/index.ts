/**
 * dagtest's library API. Planning: `loadSpecProject`/`loadDirectProject` → `planProject` → a
 * serialisable `Plan`. Execution: `runPlan(plan, { executor, stateDir, ... })`. The interactive
 * factory of the seeds: `createTestingFactory`.
 *
 * @example
 * import { createTestingFactory } from "dagtest";
 * const factory = await createTestingFactory({ project: "examples/tabular" });
 * const { results } = await factory.executeDagGuidedTesting();
 * console.log(results.pipelineSuccess);
 */
export { LocalCache } from "./cache/store.js";
export { type DirectOptions, loadDirectProject, loadSpecProject, type Project } from "./config/project.js";
export type { Spec } from "./config/spec-schema.js";
export { type RunOptions, runPlan } from "./engine/run.js";
export { DagtestError, ERROR_CODES, type ErrorCode, type SourceLocation } from "./errors.js";
export { ColdExecutor } from "./exec/cold.js";
export type { ExecRequest, ExecResult, Executor } from "./exec/types.js";
export { createTestingFactory, type FactoryOptions } from "./factory/create.js";
export type { TestingFactory } from "./factory/factory.js";
export type * from "./factory/types.js";
export type { Reporter, RunEvent } from "./model/events.js";
export type * from "./model/plan.js";
export type * from "./model/run.js";
export { planProject } from "./plan/build.js";
export { ConsoleReporter } from "./reporters/console.js";
export { JUnitReporter } from "./reporters/junit.js";
