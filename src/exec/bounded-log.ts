/**
 * A log file that never grows past its cap: the first `maxBytes` are written as they come, then
 * only a tail is kept in memory and appended at the end after a marker saying how much was
 * dropped. A script that prints 100 MB costs the cap on disk, not 100 MB.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { LineSplitter } from "./output-lines.js";
import type { ExecRequest } from "./types.js";

const TAIL_BYTES = 64 * 1024;

/** A job's two log files, each also streaming its lines to the request's output sink, if any. */
export function openLogs(request: Pick<ExecRequest, "logs" | "maxLogBytes" | "output">): {
  readonly stdout: BoundedLog;
  readonly stderr: BoundedLog;
} {
  const sink = request.output;
  const splitter = (stream: "stdout" | "stderr") => (sink ? new LineSplitter(stream, sink) : null);
  return {
    stdout: new BoundedLog(request.logs.stdout, request.maxLogBytes, splitter("stdout")),
    stderr: new BoundedLog(request.logs.stderr, request.maxLogBytes, splitter("stderr")),
  };
}

export class BoundedLog {
  readonly #fd: number;
  readonly #maxBytes: number;
  #written = 0;
  #dropped = 0;
  #tail: Buffer[] = [];
  #tailBytes = 0;
  /** Also hands what is written to this, as lines (the `nodeOutput` events). */
  readonly #lines: LineSplitter | null;

  constructor(file: string, maxBytes: number, lines: LineSplitter | null = null) {
    this.#fd = openSync(file, "w");
    this.#maxBytes = Math.max(0, maxBytes - TAIL_BYTES);
    this.#lines = lines;
  }

  write(chunk: Buffer): void {
    this.#lines?.write(chunk);
    const room = this.#maxBytes - this.#written;
    if (room > 0) {
      const head = chunk.subarray(0, room);
      writeSync(this.#fd, head);
      this.#written += head.length;
      chunk = chunk.subarray(head.length);
    }
    if (chunk.length === 0) return;
    this.#tail.push(chunk);
    this.#tailBytes += chunk.length;
    while (this.#tailBytes - this.#tail[0]!.length >= TAIL_BYTES) {
      const gone = this.#tail.shift()!;
      this.#tailBytes -= gone.length;
      this.#dropped += gone.length;
    }
  }

  /** Flush the tail and close; returns the number of bytes dropped. */
  close(): number {
    this.#lines?.close();
    let tail = Buffer.concat(this.#tail);
    if (tail.length > TAIL_BYTES) {
      this.#dropped += tail.length - TAIL_BYTES;
      tail = tail.subarray(tail.length - TAIL_BYTES);
    }
    if (this.#dropped > 0)
      writeSync(
        this.#fd,
        `\n[dagtest: ${this.#dropped} bytes dropped here to keep this log under its cap]\n`,
      );
    if (tail.length > 0) writeSync(this.#fd, tail);
    closeSync(this.#fd);
    this.#tail = [];
    return this.#dropped;
  }
}
