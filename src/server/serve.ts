/**
 * `dagtest ui`: bind the UI server (127.0.0.1 unless `--host` says otherwise, with a warning),
 * print the one URL with its token, open the browser unless `--no-open`, and serve until Ctrl-C.
 */
import { spawn } from "node:child_process";
import { serve } from "@hono/node-server";
import type { FactoryOptions } from "../factory/create.js";
import { createUiApp } from "./app.js";
import { allowedHosts, newToken } from "./auth.js";
import { Workspace } from "./workspace.js";

export interface UiServerOptions {
  readonly factory: FactoryOptions;
  readonly host: string;
  /** 0: a free port. */
  readonly port: number;
  readonly open: boolean;
  readonly log: (line: string) => void;
}

export interface UiServer {
  readonly url: string;
  readonly workspace: Workspace;
  close(): Promise<void>;
}

export const LOOPBACK = "127.0.0.1";

export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const workspace = await Workspace.open(options.factory);
  const token = newToken();
  const hosts: string[] = [];
  const app = createUiApp({ workspace, token, hosts });
  const server = serve({ fetch: app.fetch, hostname: options.host, port: options.port });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("listening", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : options.port);
    });
    server.once("error", reject);
  });
  for (const host of allowedHosts(options.host, port)) hosts.push(host);
  const shown = options.host.includes(":") ? `[${options.host}]` : options.host;
  const url = `http://${shown}:${port}/?token=${token}`;
  if (options.host !== LOOPBACK && options.host !== "::1" && options.host !== "localhost")
    options.log(
      `warning: serving on ${options.host}, not loopback: anyone who can reach it and has the URL can run scripts`,
    );
  options.log(`dagtest ui: ${url}`);
  if (options.open) openBrowser(url);
  return {
    url,
    workspace,
    async close() {
      workspace.stop();
      await workspace.settled();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}

function openBrowser(url: string): void {
  const command =
    process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  try {
    const child = spawn(command, [url], { stdio: "ignore", detached: true });
    child.on("error", () => {});
    child.unref();
  } catch {
    // No browser to open: the URL is printed.
  }
}
