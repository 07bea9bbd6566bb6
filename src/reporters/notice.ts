/**
 * Notices (the warm server fell back to cold processes, a reporter failed, …) as
 * `[dagtest] message` lines on a stream: stderr for the CLI, so they never mix with `--json`.
 */
import type { Reporter, RunEvent } from "../model/events.js";

export class NoticeReporter implements Reporter {
  readonly #out: NodeJS.WritableStream;

  constructor(stream: NodeJS.WritableStream) {
    this.#out = stream;
  }

  onEvent(event: RunEvent): void {
    if (event.type === "notice") this.#out.write(`[dagtest] ${event.message}\n`);
  }
}
