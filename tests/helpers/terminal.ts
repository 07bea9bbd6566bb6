/**
 * Running a command in a real pseudo-terminal through tests/helpers/pty_driver.py (Node has no pty
 * module): each step waits for a regex on the screen, then types keys. The screen text comes back.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { repoRoot, testPython } from "./paths.js";

export interface TerminalStep {
  /** A regex (Python syntax) to wait for in what the program drew since the last match. */
  readonly expect?: string;
  /** Keys to type: text, "\r" Enter, "\x1b[B" down, "\u0015" Ctrl-U, "\u0003" Ctrl-C. */
  readonly send?: string;
  readonly timeout?: number;
}

export interface TerminalResult {
  readonly exitCode: number | null;
  readonly signal: number | null;
  /** The screen output, escape sequences stripped. */
  readonly transcript: string;
}

interface DriverOutput {
  readonly exit_code: number | null;
  readonly signal: number | null;
  readonly transcript: string;
  readonly failed_step: number | null;
  readonly error: string | null;
}

const driver = path.join(repoRoot, "tests/helpers/pty_driver.py");

/** Run `argv` in a pseudo-terminal and play `steps`; throws with the screen when a step times out. */
export function inTerminal(
  argv: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; steps: readonly TerminalStep[] },
): TerminalResult {
  const spec = { argv, cwd: options.cwd, env: options.env, steps: options.steps, exit_timeout: 60 };
  const run = spawnSync(testPython(), [driver], {
    input: JSON.stringify(spec),
    encoding: "utf8",
    timeout: 180_000,
  });
  if (run.status !== 0) throw new Error(`pty driver failed (${run.status}):\n${run.stderr}`);
  const out = JSON.parse(run.stdout) as DriverOutput;
  if (out.error) throw new Error(`${out.error} (step ${out.failed_step}); screen:\n${out.transcript}`);
  return { exitCode: out.exit_code, signal: out.signal, transcript: out.transcript };
}
