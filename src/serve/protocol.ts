/**
 * The engine protocol of `dagtest serve --stdio`: JSON-RPC 2.0 style, one JSON object per line on
 * stdin (requests) and stdout (responses and notifications). The Python package (python/dagtest)
 * speaks it; `schema/serve-protocol.schema.json` is generated from these types and the Python
 * tests check their TypedDicts against it, so both sides share one schema.
 *
 * Versioned: the first request is `initialize` with the client's `protocolVersion`; a server that
 * does not speak it answers with `DAGTEST_PROTOCOL_MISMATCH` and the client says which to upgrade.
 */
import type { SourceLocation } from "../errors.js";
import type { FactoryOptions } from "../factory/create.js";
import type {
  FactorySummary,
  GuidedTestingResult,
  ScriptConfiguration,
  ScriptResolutionPreview,
  ScriptTestingRequirements,
  SkippedNode,
  ValidationIssue,
} from "../factory/types.js";
import type { RunEvent } from "../model/events.js";
import type { Plan } from "../model/plan.js";
import type { RunResult } from "../model/run.js";

export const SERVE_PROTOCOL_VERSION = 1;

/** `factory.create`: the options of `createTestingFactory`; relative paths are relative to the server's cwd. */
export type CreateFactoryParams = FactoryOptions;

/** What `factory.create` answers: the factory's handle and where its spec lives. */
export interface FactoryHandle {
  readonly factoryId: number;
  readonly specFile: string;
}

export interface ExecuteParams {
  readonly factoryId: number;
  readonly concurrency?: number;
}

/** The kinds of value `html.render` draws (the same views the notebook shows). */
export type HtmlView = "plan" | "requirements" | "summary" | "results";

/** Every method: its params and its result. */
export interface ServeMethods {
  initialize: {
    params: { readonly protocolVersion: number; readonly client?: string };
    result: { readonly protocolVersion: number; readonly dagtestVersion: string; readonly node: string };
  };
  "factory.create": { params: CreateFactoryParams; result: FactoryHandle };
  "factory.close": { params: { readonly factoryId: number }; result: null };
  "factory.scripts": { params: { readonly factoryId: number }; result: readonly string[] };
  "factory.skipped": { params: { readonly factoryId: number }; result: readonly SkippedNode[] };
  "factory.requirements": {
    params: { readonly factoryId: number; readonly name: string };
    result: ScriptTestingRequirements;
  };
  "factory.validate": {
    params: { readonly factoryId: number; readonly name: string; readonly config: ScriptConfiguration };
    result: readonly ValidationIssue[];
  };
  "factory.configure": {
    params: { readonly factoryId: number; readonly name: string; readonly config: ScriptConfiguration };
    result: ScriptTestingRequirements | null;
  };
  "factory.pending": { params: { readonly factoryId: number }; result: readonly string[] };
  "factory.canAutoConfigure": {
    params: { readonly factoryId: number; readonly name: string };
    result: boolean;
  };
  "factory.autoConfigure": { params: { readonly factoryId: number; readonly name: string }; result: boolean };
  "factory.summary": { params: { readonly factoryId: number }; result: FactorySummary };
  "factory.preview": { params: { readonly factoryId: number }; result: readonly ScriptResolutionPreview[] };
  "factory.plan": { params: { readonly factoryId: number }; result: Plan };
  "factory.save": { params: { readonly factoryId: number }; result: { readonly specFile: string } };
  /** Runs everything; `run.event` notifications report progress; `run.cancel` stops it cleanly. */
  "factory.execute": { params: ExecuteParams; result: GuidedTestingResult };
  "run.cancel": { params: { readonly factoryId: number }; result: { readonly cancelled: boolean } };
  "html.render": {
    params: { readonly view: HtmlView; readonly value: unknown };
    result: { readonly html: string };
  };
  shutdown: { params: Record<string, never>; result: null };
}

export type MethodName = keyof ServeMethods;

export interface Request<M extends MethodName = MethodName> {
  readonly jsonrpc: "2.0";
  readonly id: number;
  readonly method: M;
  readonly params: ServeMethods[M]["params"];
}

/** The error of a response: JSON-RPC's numeric code, plus dagtest's stable code, hint and location. */
export interface ErrorObject {
  /** -32700 parse error, -32601 unknown method, -32602 bad params, 1 a user error, 70 a bug. */
  readonly code: number;
  readonly message: string;
  readonly data: {
    readonly code: string;
    readonly hint: string;
    readonly location?: SourceLocation;
  };
}

export type Response =
  | { readonly jsonrpc: "2.0"; readonly id: number; readonly result: unknown }
  | { readonly jsonrpc: "2.0"; readonly id: number | null; readonly error: ErrorObject };

/** Progress of a run, without the plan (the client has it): one per engine event. */
export type ProgressEvent =
  | { readonly type: "runStart"; readonly runId: string; readonly runDir: string; readonly total: number }
  | Exclude<RunEvent, { readonly type: "runStart" } | { readonly type: "runEnd" }>
  | { readonly type: "runEnd"; readonly result: RunResult };

export interface Notification {
  readonly jsonrpc: "2.0";
  readonly method: "run.event";
  readonly params: { readonly factoryId: number; readonly event: ProgressEvent };
}

/** Every message on the wire, for the schema. */
export interface ServeProtocol {
  readonly version: typeof SERVE_PROTOCOL_VERSION;
  readonly request: Request;
  readonly response: Response;
  readonly notification: Notification;
  readonly createFactoryParams: CreateFactoryParams;
  readonly methods: ServeMethods;
}
