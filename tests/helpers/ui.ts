/** A UI app on a throwaway project, called without a port (`app.request`), as a browser would. */
import { cpSync } from "node:fs";
import path from "node:path";
import type { Hono } from "hono";
import type { FactoryOptions } from "../../src/factory/create.js";
import type { RunEvent } from "../../src/model/events.js";
import { createUiApp } from "../../src/server/app.js";
import { allowedHosts } from "../../src/server/auth.js";
import { Workspace } from "../../src/server/workspace.js";
import { fixture, tempDir, testPython } from "./paths.js";

export const TOKEN = "test-token-0123456789abcdefghijkl";
export const HOST = "127.0.0.1:4321";

export interface UiRig {
  readonly app: Hono;
  readonly workspace: Workspace;
  readonly dir: string;
  /** A request as the page makes it: the right Host, Origin and token unless overridden. */
  call(pathname: string, init?: RequestInit & { headers?: Record<string, string> }): Promise<Response>;
}

export async function uiRig(options: FactoryOptions & { project: string }): Promise<UiRig> {
  const workspace = await Workspace.open({ python: testPython(), ...options });
  const app = createUiApp({ workspace, token: TOKEN, hosts: allowedHosts("127.0.0.1", 4321) });
  return {
    app,
    workspace,
    dir: options.project,
    call: (pathname, init = {}) =>
      Promise.resolve(
        app.request(`http://${HOST}${pathname}`, {
          ...init,
          headers: { host: HOST, "x-dagtest-token": TOKEN, ...init.headers },
        }),
      ),
  };
}

/** A copy of a fixture pipeline (`linear`, `fault`, ...) in a temp folder. */
export function fixtureCopy(shape: string): string {
  const dir = path.join(tempDir(), shape);
  cpSync(fixture(shape), dir, { recursive: true });
  return dir;
}

/** Read an event stream until `until` says stop; returns the run events seen. */
export async function readEvents(response: Response, until: (e: RunEvent) => boolean): Promise<RunEvent[]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: RunEvent[] = [];
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return events;
    buffer += value;
    let cut = buffer.indexOf("\n\n");
    while (cut >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      cut = buffer.indexOf("\n\n");
      if (!block.includes("event: run")) continue;
      const data = block
        .split("\n")
        .filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6))
        .join("\n");
      const event = JSON.parse(data) as RunEvent;
      events.push(event);
      if (until(event)) {
        await reader.cancel();
        return events;
      }
    }
  }
}
