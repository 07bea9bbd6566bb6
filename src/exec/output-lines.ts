/**
 * A script's output as lines, as it comes, for `nodeOutput` events. Bounded, so a script that
 * prints gigabytes costs the log file's cap on disk and a bounded number of events: each line is
 * cut at MAX_LINE_CHARS, and after MAX_LINES lines per stream one last line says the rest is in
 * the log file only. The log files stay the full record (bounded-log.ts).
 */
import { StringDecoder } from "node:string_decoder";
import type { OutputStream } from "../model/events.js";

/** Where an executor streams a node's output lines. */
export type OutputSink = (stream: OutputStream, lines: readonly string[]) => void;

export const MAX_LINE_CHARS = 4000;
export const MAX_LINES = 10_000;

export class LineSplitter {
  readonly #stream: OutputStream;
  readonly #sink: OutputSink;
  readonly #decoder = new StringDecoder("utf8");
  #partial = "";
  #sent = 0;

  constructor(stream: OutputStream, sink: OutputSink) {
    this.#stream = stream;
    this.#sink = sink;
  }

  write(chunk: Buffer): void {
    if (this.#sent > MAX_LINES) return;
    const parts = (this.#partial + this.#decoder.write(chunk)).split("\n");
    // A line with no end yet is kept, but never more of it than a line may hold.
    this.#partial = parts.pop()!.slice(0, MAX_LINE_CHARS + 1);
    this.#send(parts);
  }

  /** The last line, even without its newline. */
  close(): void {
    if (this.#sent > MAX_LINES) return;
    const rest = this.#partial + this.#decoder.end();
    this.#partial = "";
    if (rest.length > 0) this.#send([rest]);
  }

  #send(lines: string[]): void {
    if (lines.length === 0) return;
    const room = MAX_LINES - this.#sent;
    const batch = lines.slice(0, room).map(cut);
    if (lines.length > room)
      batch.push(`[dagtest: more than ${MAX_LINES} lines; the rest is in the ${this.#stream} log only]`);
    this.#sent += batch.length;
    this.#sink(this.#stream, batch);
  }
}

function cut(line: string): string {
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  return text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}…` : text;
}
