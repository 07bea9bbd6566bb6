/**
 * The console reporter: live progress while the run goes (which nodes run now, done/total,
 * elapsed), one line per finished node, then a summary table, the failures with their log tails,
 * and what flowed along each wire.
 */
import path from "node:path";
import pc from "picocolors";
import type { Reporter, RunEvent } from "../model/events.js";
import { NEVER_RAN, type RunResult, type ScriptResult } from "../model/run.js";
import { appendAll, maxOf } from "../util/arrays.js";
import { CHECK_REASONS, checkFindings } from "./check-text.js";

export interface ConsoleReporterOptions {
  readonly stream: NodeJS.WritableStream & { isTTY?: boolean };
  readonly cwd?: string;
  /** Show the data-flow table (default true). */
  readonly dataFlow?: boolean;
  /** The command that ran, to print how to continue after a failure. */
  readonly resumeCommand?: string;
  /** False under `--no-cache`: the resume hint then promises nothing from the cache. */
  readonly cacheEnabled?: boolean;
}

const MARK: Record<ScriptResult["status"], string> = {
  passed: pc.green("✓"),
  failed: pc.red("✗"),
  skipped: pc.dim("-"),
  cached: pc.cyan("≡"),
  cancelled: pc.yellow("!"),
};

export class ConsoleReporter implements Reporter {
  readonly #out: ConsoleReporterOptions["stream"];
  readonly #live: boolean;
  readonly #cwd: string;
  readonly #dataFlow: boolean;
  readonly #resume: string | null;
  readonly #cached: boolean;
  #total = 0;
  #done = 0;
  #running = new Set<string>();
  #started = performance.now();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ConsoleReporterOptions) {
    this.#out = options.stream;
    this.#live = options.stream.isTTY === true;
    this.#cwd = options.cwd ?? process.cwd();
    this.#dataFlow = options.dataFlow ?? true;
    this.#resume = options.resumeCommand ?? null;
    this.#cached = options.cacheEnabled ?? true;
  }

  onEvent(event: RunEvent): void {
    switch (event.type) {
      case "runStart":
        this.#total = event.total;
        this.#started = performance.now();
        this.#print(
          pc.bold(`dagtest run ${event.runId}: ${event.total} scripts`) +
            pc.dim(`  (${this.#rel(event.runDir)})`),
        );
        if (this.#live) this.#timer = setInterval(() => this.#status(), 250).unref();
        break;
      case "nodeStart":
        this.#running.add(event.node);
        if (!this.#live) this.#print(pc.dim(`  … ${event.node} started`));
        this.#status();
        break;
      case "nodeEnd": {
        const r = event.result;
        this.#running.delete(r.node);
        if (r.reason === "phantom") break;
        this.#done++;
        const time = r.startedAt ? pc.dim(` ${seconds(r.durationMs)}`) : "";
        // A node that ran says why (what changed since the cache last saw it): watch mode's point.
        const changed = r.ranBecause.filter((reason) => reason !== NEVER_RAN);
        const why =
          r.status === "passed"
            ? changed.length > 0
              ? pc.dim(`  ran: ${changed.join("; ")}`)
              : ""
            : `  ${r.status === "failed" ? pc.red(r.message) : pc.dim(r.message)}`;
        this.#print(`  ${MARK[r.status]} ${r.node}${time}${why}`);
        this.#status();
        break;
      }
      case "runEnd":
        if (this.#timer) clearInterval(this.#timer);
        this.#clearStatus();
        this.#summary(event.result);
        break;
      default:
        break;
    }
  }

  #summary(result: RunResult): void {
    const rows = Object.values(result.scriptResults);
    const lines: string[] = ["", pc.bold("Summary")];
    const width = maxOf(
      rows.map((r) => r.node.length),
      4,
    );
    lines.push(pc.dim(`  ${"node".padEnd(width)}  status      time     memory   note`));
    for (const r of rows) {
      const memory = r.peakRssKb ? `${Math.round(r.peakRssKb / 1024)} MiB` : "";
      const note = r.status === "passed" ? "" : r.message;
      lines.push(
        `  ${r.node.padEnd(width)}  ${MARK[r.status]} ${r.status.padEnd(10)}${(r.startedAt ? seconds(r.durationMs) : "").padEnd(9)}${memory.padEnd(9)}${pc.dim(truncate(note, 90))}`,
      );
    }
    for (const r of rows.filter((x) => x.status === "failed" && CHECK_REASONS.has(x.reason ?? ""))) {
      lines.push("", pc.red(pc.bold(`${r.node} failed (${r.reason}): ${r.message}`)));
      for (const l of checkFindings(r)) lines.push(`    ${l}`);
    }
    const crashed = (x: ScriptResult) => x.logTail || x.error || x.internalError;
    for (const r of rows.filter(
      (x) => x.status === "failed" && !CHECK_REASONS.has(x.reason ?? "") && crashed(x),
    )) {
      lines.push("", pc.red(pc.bold(`${r.node} failed: ${r.message}`)));
      const stack = r.internalError?.stack?.split("\n").slice(1) ?? [];
      for (const l of stack) lines.push(pc.dim(`    ${l.trim()}`));
      for (const frame of r.error?.frames ?? [])
        lines.push(
          pc.dim(`    ${this.#rel(frame.file)}:${frame.line} in ${frame.function}: ${frame.code ?? ""}`),
        );
      if (r.logTail)
        appendAll(
          lines,
          r.logTail.split("\n").map((l) => `    ${pc.dim("│")} ${l}`),
        );
      if (r.logs) lines.push(pc.dim(`    logs: ${this.#rel(r.logs.stderr)}, ${this.#rel(r.logs.stdout)}`));
    }
    if (this.#dataFlow && result.dataFlowResults.length > 0) {
      lines.push("", pc.bold("Data flow"));
      for (const f of result.dataFlowResults) {
        const mark = f.ok ? pc.green("✓") : pc.yellow("!");
        lines.push(
          `  ${mark} ${f.from.node}.${f.from.port} → ${f.to.node}.${f.to.port}  ${pc.dim(f.message)}${userDataTag(f.path)}`,
        );
      }
    }
    const s = result.summary;
    const parts = [
      pc.green(`${s.passed} passed`),
      s.failed ? pc.red(`${s.failed} failed`) : `${s.failed} failed`,
    ];
    if (s.cached) parts.push(`${s.cached} cached`);
    if (s.skipped) parts.push(`${s.skipped} skipped`);
    if (s.cancelled) parts.push(pc.yellow(`${s.cancelled} cancelled`));
    lines.push(
      "",
      `${result.pipelineSuccess ? pc.green("✓ pipeline passed") : pc.red("✗ pipeline failed")}: ${parts.join(", ")} in ${seconds(result.durationMs)}`,
    );
    lines.push(pc.dim(`run record: ${this.#rel(path.join(result.runDir, "run.json"))}`));
    const resume = this.#resumeLine(result);
    if (resume) lines.push(resume);
    this.#print(lines.join("\n"));
  }

  /** After a failure or an interruption: the command that continues from where it stopped. */
  #resumeLine(result: RunResult): string | null {
    if (!this.#resume || result.pipelineSuccess) return null;
    const redo = Object.values(result.scriptResults)
      .filter((r) => r.status === "failed" || r.status === "cancelled")
      .map((r) => r.node);
    if (redo.length === 0) return null;
    const why = this.#cached
      ? "(finished nodes come from the cache)"
      : "(without the cache every node reruns; drop --no-cache to reuse what finished)";
    return `to continue: ${pc.bold(`${this.#resume} --from ${redo.join(",")}`)} ${pc.dim(why)}`;
  }

  #status(): void {
    if (!this.#live) return;
    const running = [...this.#running];
    const text = `[${this.#done}/${this.#total}] ${seconds(performance.now() - this.#started)}  running: ${running.join(", ") || "-"}`;
    this.#out.write(`\r\x1b[K${pc.dim(truncate(text, 150))}`);
  }

  #clearStatus(): void {
    if (this.#live) this.#out.write("\r\x1b[K");
  }

  #print(text: string): void {
    this.#clearStatus();
    this.#out.write(`${text}\n`);
  }

  #rel(file: string): string {
    const r = path.relative(this.#cwd, file);
    return r.startsWith("../../..") ? file : r;
  }
}

export function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Data dagtest made in its own folders: synthesized from the config, or a --sample copy. */
function userDataTag(at: string): string {
  const parts = at.split(path.sep);
  const dagtest = parts.lastIndexOf(".dagtest");
  const kind = dagtest >= 0 ? parts[dagtest + 1] : undefined;
  if (kind === "synth") return pc.magenta("  (synthetic)");
  if (kind === "samples") return pc.magenta("  (sampled)");
  return "";
}
