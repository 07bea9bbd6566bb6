/**
 * dagtest's library API. Planning: `loadSpecProject`/`loadDirectProject` → `planProject` → a
 * serialisable `Plan`. Execution: `createRunSession({ project }).run(plan)` (the CLI's defaults),
 * or `runPlan(plan, { executor, stateDir, ... })` for full control. The interactive factory of
 * the seeds: `createTestingFactory`.
 *
 * @example
 * import { createTestingFactory } from "dagtest";
 * const factory = await createTestingFactory({ project: "examples/tabular" });
 * const { results } = await factory.executeDagGuidedTesting();
 * console.log(results.pipelineSuccess);
 */
// The library loads projects synchronously (loadSpecProject): the YAML parser and the schema, up front.
import "./config/eager.js";

export { LocalCache } from "./cache/store.js";
export { type DirectOptions, loadDirectProject, loadSpecProject, type Project } from "./config/project.js";
export type { Spec } from "./config/spec-schema.js";
export { ReporterBus } from "./engine/bus.js";
export { type RunOptions, runPlan } from "./engine/run.js";
export {
  createRunSession,
  type RunSession,
  type RunSessionOptions,
  type SessionProject,
  type SessionRunOptions,
} from "./engine/session.js";
export type { PreparedNode } from "./engine/stages/prepare.js";
export {
  type CheckResult,
  defaultChecks,
  type NodeCheck,
  type RanNode,
} from "./engine/stages/verify.js";
export { DagtestError, ERROR_CODES, type ErrorCode, type SourceLocation } from "./errors.js";
export { ColdExecutor } from "./exec/cold.js";
export { createExecutor } from "./exec/index.js";
export type { ExecRequest, ExecResult, Executor, OutputSink } from "./exec/types.js";
export { createTestingFactory, type FactoryOptions } from "./factory/create.js";
export type { TestingFactory } from "./factory/factory.js";
export type * from "./factory/types.js";
export type { NoticeLevel, OutputStream, Reporter, RunEvent } from "./model/events.js";
export type * from "./model/plan.js";
export type * from "./model/run.js";
export { planProject } from "./plan/build.js";
export { ConsoleReporter } from "./reporters/console.js";
export { JUnitReporter } from "./reporters/junit.js";
export { NoticeReporter } from "./reporters/notice.js";
