/**
 * `dagtest serve --stdio`: one long-lived engine per Python factory. Requests are read one JSON
 * object per line from stdin and may overlap (a `run.cancel` arrives while `factory.execute`
 * runs); responses and `run.event` notifications are written one per line to stdout, which
 * nothing else may write to (console output is sent to stderr while serving).
 *
 * The server ends when stdin closes (the Python process exited, even by SIGKILL): running
 * scripts are stopped first, so nothing is left behind.
 */
import { createInterface } from "node:readline";
import type { Writable } from "node:stream";
import { DagtestError } from "../errors.js";
import { type Handlers, ServeSession } from "./handlers.js";
import type { ErrorObject, MethodName, ProgressEvent, Response } from "./protocol.js";

export interface StdioStreams {
  readonly input: NodeJS.ReadableStream;
  readonly output: Writable;
  /** Ends the conversation as EOF would (SIGTERM). */
  readonly signal?: AbortSignal;
}

export async function serveStdio(streams: StdioStreams): Promise<void> {
  const write = (message: object) => streams.output.write(`${JSON.stringify(message)}\n`);
  const notify = (factoryId: number, event: ProgressEvent) =>
    write({ jsonrpc: "2.0", method: "run.event", params: { factoryId, event } });
  const session = new ServeSession(notify);
  const handlers = session.handlers();
  const pending = new Set<Promise<void>>();
  let chain: Promise<void> = Promise.resolve();
  const lines = createInterface({ input: streams.input, crlfDelay: Number.POSITIVE_INFINITY });
  streams.signal?.addEventListener("abort", () => lines.close());
  for await (const line of lines) {
    if (line.trim() === "") continue;
    // Requests are answered in order, one at a time, except `run.cancel`, which must reach a run
    // that is still going.
    const immediate = /"method"\s*:\s*"run\.cancel"/.test(line);
    const run = () =>
      answer(line, handlers).then(({ response, method }) => {
        write(response);
        if (method === "shutdown") lines.close();
      });
    if (!immediate) chain = chain.then(run);
    const task = immediate ? run() : chain;
    pending.add(task);
    void task.finally(() => pending.delete(task));
  }
  // stdin closed (or shutdown): stop what still runs, and answer it before leaving.
  session.abortAll();
  await Promise.allSettled([...pending]);
}

async function answer(line: string, handlers: Handlers): Promise<{ response: Response; method: string }> {
  let method = "";
  return { response: await respond(), method };

  async function respond(): Promise<Response> {
    let id: number | null = null;
    try {
      const message = parse(line);
      id = message.id;
      method = message.method;
      const handler = handlers[message.method] as ((params: unknown) => unknown) | undefined;
      if (!handler) return failure(id, -32601, "DAGTEST_USAGE", `Unknown method "${message.method}".`, "");
      const result = await handler(message.params ?? {});
      return { jsonrpc: "2.0", id, result: result ?? null };
    } catch (error) {
      if (error instanceof ProtocolError)
        return failure(id, error.rpcCode, "DAGTEST_USAGE", error.message, "");
      if (error instanceof DagtestError) {
        return {
          jsonrpc: "2.0",
          id,
          error: {
            code: 1,
            message: error.message,
            data: {
              code: error.code,
              hint: error.hint,
              ...(error.location ? { location: error.location } : {}),
            },
          },
        };
      }
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      return failure(id, 70, "DAGTEST_INTERNAL", `internal error, please report: ${text}`, "");
    }
  }
}

class ProtocolError extends Error {
  constructor(
    readonly rpcCode: number,
    message: string,
  ) {
    super(message);
  }
}

function parse(line: string): { id: number; method: MethodName; params: unknown } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ProtocolError(-32700, `Not JSON: ${line.slice(0, 80)}`);
  }
  if (typeof value !== "object" || value === null)
    throw new ProtocolError(-32600, "A request is a JSON object.");
  const { id, method, params } = value as Record<string, unknown>;
  if (typeof id !== "number" || typeof method !== "string")
    throw new ProtocolError(-32600, "A request needs a numeric `id` and a `method`.");
  if (params !== undefined && (typeof params !== "object" || params === null))
    throw new ProtocolError(-32602, "`params` must be an object.");
  return { id, method: method as MethodName, params };
}

function failure(
  id: number | null,
  code: number,
  dagtestCode: string,
  message: string,
  hint: string,
): Response {
  const error: ErrorObject = { code, message, data: { code: dagtestCode, hint } };
  return { jsonrpc: "2.0", id, error };
}
