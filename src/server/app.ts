/**
 * The UI server's routes (Hono): the page, the project's state, validate/configure through the
 * factory, run/stop, the run's events (server-sent), and the run history. Every route is behind
 * the guard (host, origin, token); tests call `app.request()` without a port.
 */

import type { Context } from "hono";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { DagtestError } from "../errors.js";
import type { ScriptConfiguration } from "../factory/types.js";
import type { RunEvent } from "../model/events.js";
import { renderPage } from "../reporters/html-page.js";
import type { ConfigureRequest, RunRequest } from "./api-types.js";
import { guard, type Origin } from "./auth.js";
import type { Workspace } from "./workspace.js";

export interface UiAppOptions extends Origin {
  readonly workspace: Workspace;
  /** Seconds between keep-alive comments on an event stream. */
  readonly keepAliveSeconds?: number;
}

export function createUiApp(options: UiAppOptions): Hono {
  const { workspace } = options;
  const app = new Hono();
  app.use("*", guard(options));
  app.onError((error, c) => {
    if (error instanceof DagtestError) return c.json({ error: error.toJSON() }, 400);
    if (error instanceof BadRequest)
      return c.json({ error: { code: "DAGTEST_UI_BAD_REQUEST", message: error.message } }, 400);
    return c.json({ error: { code: "DAGTEST_INTERNAL", message: error.message } }, 500);
  });
  app.get("/", (c) => {
    c.header(
      "content-security-policy",
      "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:",
    );
    return c.html(renderPage("dagtest", null));
  });
  app.get("/api/state", (c) => c.json(workspace.state()));
  app.post("/api/validate", async (c) => {
    const body = await configureBody(c);
    return c.json(workspace.validate(body.node, body.config));
  });
  app.post("/api/configure", async (c) => {
    if (workspace.running) throw new BadRequest("A run is going on: configure when it has ended.");
    const body = await configureBody(c);
    return c.json(workspace.configure(body.node, body.config));
  });
  app.post("/api/run", async (c) => {
    await workspace.startRun(runBody(await jsonBody(c)));
    return c.json({ started: true }, 202);
  });
  app.post("/api/stop", (c) => c.json({ stopping: workspace.stop() }));
  app.get("/api/runs", (c) => c.json(workspace.runs()));
  app.get("/api/runs/:id", (c) => {
    const view = workspace.runView(c.req.param("id"));
    return view
      ? c.json(view)
      : c.json({ error: { code: "DAGTEST_UI_NOT_FOUND", message: "No such run." } }, 404);
  });
  app.get("/api/events", (c) => events(c, workspace, options.keepAliveSeconds ?? 15));
  app.notFound((c) => c.json({ error: { code: "DAGTEST_UI_NOT_FOUND", message: "Not found." } }, 404));
  return app;
}

class BadRequest extends Error {}

function events(c: Context, workspace: Workspace, keepAlive: number): Response {
  return streamSSE(c, async (stream) => {
    const queue: RunEvent[] = [];
    let wake: (() => void) | null = null;
    const unsubscribe = workspace.live.subscribe((event) => {
      queue.push(event);
      wake?.();
    });
    stream.onAbort(() => {
      unsubscribe();
      wake?.();
    });
    await stream.writeSSE({ event: "hello", data: "{}" });
    while (!stream.aborted) {
      const event = queue.shift();
      if (event) {
        await stream.writeSSE({ event: "run", data: JSON.stringify(event) });
        continue;
      }
      // Wait for the next event, the client leaving, or the keep-alive; the timer never holds
      // the process open once the server is closed.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, keepAlive * 1000);
        timer.unref();
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
      if (!queue.length && !stream.aborted) await stream.write(": keep-alive\n\n");
    }
    unsubscribe();
  });
}

async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new BadRequest("The request body is not JSON.");
  }
}

async function configureBody(c: Context): Promise<{ node: string; config: ScriptConfiguration }> {
  const body = (await jsonBody(c)) as Partial<ConfigureRequest> | null;
  if (!body || typeof body.node !== "string" || typeof body.config !== "object" || body.config === null)
    throw new BadRequest('Expected {"node": "<name>", "config": {inputs?, outputs?, env?, jobArgs?}}.');
  for (const [group, values] of Object.entries(body.config)) {
    if (!["inputs", "outputs", "env", "jobArgs"].includes(group))
      throw new BadRequest(`Unknown group "${group}".`);
    if (
      typeof values !== "object" ||
      values === null ||
      Object.values(values).some((v) => typeof v !== "string")
    )
      throw new BadRequest(`"${group}" must map names to strings.`);
  }
  return { node: body.node, config: body.config };
}

function runBody(body: unknown): RunRequest {
  const value = (body ?? {}) as Record<string, unknown>;
  const list = (key: string): string[] => {
    const v = value[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
      throw new BadRequest(`"${key}" must be a list of node names.`);
    return v as string[];
  };
  return { only: list("only"), from: list("from"), to: list("to") };
}
