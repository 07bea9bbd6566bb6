/**
 * An executor whose code is loaded with its first job. The executors bring the process, socket
 * and Ray code (and Node's net and readline) with them; a run whose every node is cached never
 * needs any of it, and it is a good part of such a run's start-up.
 */
import type { ExecRequest, ExecResult, Executor, InspectExit, InspectJob, WarmUpSpec } from "./types.js";

export class LazyExecutor implements Executor {
  readonly name: string;
  readonly #make: () => Promise<Executor>;
  #executor: Promise<Executor> | null = null;

  constructor(name: string, make: () => Promise<Executor>) {
    this.name = name;
    this.#make = make;
  }

  async run(request: ExecRequest): Promise<ExecResult> {
    return (await this.#real()).run(request);
  }

  /** Loaded now, and warmed up as soon as it is (before any job: the callbacks run in order). */
  warmUp(spec: WarmUpSpec): void {
    void this.#real().then((executor) => executor.warmUp?.(spec));
  }

  /** Only once loaded: an inspect job follows the node's own job, which loaded it. */
  async inspect(spec: WarmUpSpec, job: InspectJob): Promise<InspectExit | null> {
    if (!this.#executor) return null;
    return (await this.#executor).inspect?.(spec, job) ?? null;
  }

  async close(): Promise<void> {
    if (this.#executor) await (await this.#executor).close();
  }

  #real(): Promise<Executor> {
    this.#executor ??= this.#make();
    return this.#executor;
  }
}
