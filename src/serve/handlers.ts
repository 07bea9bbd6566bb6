/**
 * The methods of the engine protocol, each a thin call into the TypeScript factory API: the
 * Python package adds no behaviour of its own, so its answers are the CLI's answers.
 */
import { DagtestError } from "../errors.js";
import { createTestingFactory, type FactoryOptions } from "../factory/create.js";
import type { TestingFactory } from "../factory/factory.js";
import type { Reporter, RunEvent } from "../model/events.js";
import { DAGTEST_VERSION } from "../version.js";
import { renderHtml } from "./html.js";
import {
  type CreateFactoryParams,
  type MethodName,
  type ProgressEvent,
  SERVE_PROTOCOL_VERSION,
  type ServeMethods,
} from "./protocol.js";

type Handler<M extends MethodName> = (
  params: ServeMethods[M]["params"],
) => Promise<ServeMethods[M]["result"]> | ServeMethods[M]["result"];

export type Handlers = { readonly [M in MethodName]: Handler<M> };

/** Sends a `run.event` notification. */
export type Notify = (factoryId: number, event: ProgressEvent) => void;

/** The server's state: its factories and the runs going on, by factory id. */
export class ServeSession {
  readonly #factories = new Map<number, TestingFactory>();
  readonly #runs = new Map<number, AbortController>();
  #nextId = 1;
  #initialized = false;
  #closed = false;

  constructor(private readonly notify: Notify) {}

  /** Stop every run (the stdin closed, or `shutdown`). */
  abortAll(): void {
    this.#closed = true;
    for (const controller of this.#runs.values()) controller.abort();
  }

  get running(): number {
    return this.#runs.size;
  }

  handlers(): Handlers {
    return { ...this.#sessionMethods(), ...this.#factoryMethods() };
  }

  /** The conversation itself: version check, runs, views, shutdown. */
  #sessionMethods(): Pick<Handlers, "initialize" | "run.cancel" | "html.render" | "shutdown"> {
    return {
      initialize: (params) => {
        if (params.protocolVersion !== SERVE_PROTOCOL_VERSION) {
          throw new DagtestError({
            code: "DAGTEST_PROTOCOL_MISMATCH",
            message: `The engine speaks protocol ${SERVE_PROTOCOL_VERSION}, the client ${params.protocolVersion}.`,
            hint: "Install the same version of the dagtest Python package and the dagtest engine (pip install -U dagtest).",
          });
        }
        this.#initialized = true;
        return {
          protocolVersion: SERVE_PROTOCOL_VERSION,
          dagtestVersion: DAGTEST_VERSION,
          node: process.version,
        };
      },
      "run.cancel": (params) => {
        const controller = this.#runs.get(params.factoryId);
        controller?.abort();
        return { cancelled: controller !== undefined };
      },
      "html.render": (params) => ({ html: renderHtml(params.view, params.value) }),
      shutdown: () => {
        this.abortAll();
        return null;
      },
    };
  }

  /** One call into the TestingFactory each. */
  #factoryMethods(): Omit<Handlers, "initialize" | "run.cancel" | "html.render" | "shutdown"> {
    const f = (params: { readonly factoryId: number }) => this.#factory(params.factoryId);
    return {
      "factory.create": async (params) => {
        this.#requireInitialized();
        const factory = await createTestingFactory(factoryOptions(params));
        const factoryId = this.#nextId++;
        this.#factories.set(factoryId, factory);
        return { factoryId, specFile: factory.specFile };
      },
      "factory.close": (params) => {
        this.#runs.get(params.factoryId)?.abort();
        this.#factories.delete(params.factoryId);
        return null;
      },
      "factory.scripts": (params) => f(params).getScriptsRequiringTesting(),
      "factory.skipped": (params) => f(params).getSkippedNodes(),
      "factory.requirements": (params) => f(params).getScriptTestingRequirements(params.name),
      "factory.validate": (params) => f(params).validateScriptConfiguration(params.name, params.config),
      "factory.configure": (params) => f(params).configureScriptTesting(params.name, params.config),
      "factory.pending": (params) => f(params).getPendingScriptConfigurations(),
      "factory.canAutoConfigure": (params) => f(params).canAutoConfigureScript(params.name),
      "factory.autoConfigure": (params) => f(params).autoConfigureScriptIfPossible(params.name),
      "factory.summary": (params) => f(params).getTestingFactorySummary(),
      "factory.preview": (params) => f(params).previewScriptResolution(),
      "factory.plan": (params) => f(params).plan,
      "factory.save": (params) => {
        const factory = f(params);
        factory.save();
        return { specFile: factory.specFile };
      },
      "factory.execute": (params) => this.#execute(params.factoryId, params.concurrency),
    };
  }

  async #execute(factoryId: number, concurrency: number | undefined) {
    const factory = this.#factory(factoryId);
    if (this.#closed || this.#runs.has(factoryId)) {
      throw new DagtestError({
        code: "DAGTEST_USAGE",
        message: this.#closed
          ? "The engine is shutting down."
          : "This factory is already running its pipeline.",
        hint: "Wait for the run to end, or cancel it (Ctrl-C / interrupt the kernel).",
      });
    }
    const controller = new AbortController();
    this.#runs.set(factoryId, controller);
    const reporter: Reporter = { onEvent: (event) => this.notify(factoryId, progressOf(event)) };
    try {
      return await factory.executeDagGuidedTesting({
        signal: controller.signal,
        reporters: [reporter],
        ...(concurrency ? { concurrency } : {}),
      });
    } finally {
      this.#runs.delete(factoryId);
    }
  }

  #factory(id: number): TestingFactory {
    const factory = this.#factories.get(id);
    if (factory) return factory;
    throw new DagtestError({
      code: "DAGTEST_USAGE",
      message: `There is no factory ${id} in this engine (closed, or never created).`,
      hint: "Create a new InteractiveRuntimeTestingFactory.",
    });
  }

  #requireInitialized(): void {
    if (this.#initialized) return;
    throw new DagtestError({
      code: "DAGTEST_USAGE",
      message: "The first request must be `initialize` with the client's protocolVersion.",
      hint: `Send {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":${SERVE_PROTOCOL_VERSION}}} first.`,
    });
  }
}

function factoryOptions(params: CreateFactoryParams): FactoryOptions {
  // Only the keys given: `createTestingFactory` treats a present key as a choice.
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v !== null));
}

/** The plan is large and the client has it: the start event carries only the run's identity. */
function progressOf(event: RunEvent): ProgressEvent {
  if (event.type === "runStart")
    return { type: "runStart", runId: event.runId, runDir: event.runDir, total: event.total };
  return event;
}
