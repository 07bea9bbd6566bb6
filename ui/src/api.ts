/** The server's API as the client calls it: the token goes in a header (and in the events URL). */
export type {
  ConfigureRequest,
  DataFlowResult,
  LogTails,
  NodeConfiguration,
  PhantomNode,
  Plan,
  PlanNode,
  Question,
  ReportData,
  RunEvent,
  RunListEntry,
  RunRequest,
  RunResult,
  RunView,
  ScriptNode,
  ScriptResult,
  UiState,
  ValidateResponse,
  Wire,
} from "../../src/server/api-types.js";

import type { ApiError } from "../../src/server/api-types.js";

export class Api {
  readonly #token: string;

  constructor(token: string) {
    this.#token = token;
  }

  async get<T>(path: string): Promise<T> {
    return this.#call<T>(path, { method: "GET" });
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.#call<T>(path, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
    });
  }

  events(onEvent: (data: unknown) => void): EventSource {
    const source = new EventSource(`/api/events?token=${encodeURIComponent(this.#token)}`);
    source.addEventListener("run", (e) => onEvent(JSON.parse((e as MessageEvent<string>).data)));
    return source;
  }

  async #call<T>(path: string, init: RequestInit): Promise<T> {
    const headers = {
      ...(init.headers as Record<string, string> | undefined),
      "x-dagtest-token": this.#token,
    };
    const response = await fetch(path, { ...init, headers });
    const body = (await response.json()) as T | ApiError;
    if (!response.ok) {
      const error = (body as ApiError).error;
      throw new Error(error ? `${error.code}: ${error.message}` : `HTTP ${response.status}`);
    }
    return body as T;
  }
}
