/**
 * Client for the Python runner's `describe` mode: static facts about scripts (via Python's `ast`,
 * nothing is executed) and about the interpreter, in one process per request.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PROTOCOL_VERSION } from "../model/protocol.js";
import type { DescribeResult } from "../model/script-facts.js";

/** Enough of the runner's stderr to explain a failure without flooding a report. */
const STDERR_LIMIT = 4000;

/**
 * Outcome of {@link describeScripts}. Expected failures are data, not exceptions, so the planner
 * can report them next to everything else it found:
 * - `python-not-found`: the interpreter could not be started (missing, or not executable);
 * - `runner-failed`: it started but exited non-zero or was killed (stderr is in `message`);
 * - `bad-output`: it exited 0 but did not print a result this client can trust.
 */
export type DescribeOutcome =
  | { readonly ok: true; readonly result: DescribeResult }
  | {
      readonly ok: false;
      readonly reason: "python-not-found" | "runner-failed" | "bad-output";
      readonly message: string;
    };

/**
 * Absolute path of the folder holding the `dagtest_runner` package (`<package root>/python`).
 * Computed from this module's URL, which sits two levels below the package root both as source
 * (`src/python/describe.ts`, under vitest/tsx) and compiled (`dist/python/describe.js`), so it does
 * not depend on the cwd or on where the package is installed.
 */
export function runnerDir(): string {
  return fileURLToPath(new URL("../../python", import.meta.url));
}

/**
 * Describe `scripts` and look up the installed versions of `packages` with the interpreter `python`.
 *
 * Runs `<python> <runnerDir()>/dagtest_runner/__main__.py describe` with the request on stdin. The
 * file is run by path (no `-m`, no PYTHONPATH) so the user's environment is left as it is; see the
 * docstring of `__main__.py`. Scripts that do not exist or do not parse come back as
 * `{ok: false}` entries of the result, not as a failed outcome.
 *
 * @example
 * const outcome = await describeScripts(".venv/bin/python", ["/abs/train.py"], ["pandas"]);
 * if (outcome.ok) console.log(outcome.result.scripts["/abs/train.py"]);
 */
export function describeScripts(
  python: string,
  scripts: readonly string[],
  packages: readonly string[],
): Promise<DescribeOutcome> {
  const request = JSON.stringify({ protocolVersion: PROTOCOL_VERSION, scripts, packages });
  const main = join(runnerDir(), "dagtest_runner", "__main__.py");
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: DescribeOutcome): void => {
      if (!settled) {
        settled = true;
        resolve(outcome);
      }
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(python, [main, "describe"], { stdio: ["pipe", "pipe", "pipe"], windowsHide: true });
    } catch (error) {
      // spawn throws synchronously only for arguments it cannot use at all (e.g. an empty path).
      settle(
        failure("python-not-found", `cannot start Python ${JSON.stringify(python)}: ${errorText(error)}`),
      );
      return;
    }
    const stdout: Buffer[] = [];
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      if (stderr.length < STDERR_LIMIT) stderr += chunk;
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      const notFound = error.code === "ENOENT" || error.code === "EACCES";
      const reason = notFound ? "python-not-found" : "runner-failed";
      settle(failure(reason, `cannot start Python ${JSON.stringify(python)}: ${error.message}`));
    });
    child.on("close", (code, signal) => {
      if (code !== 0) {
        const how = signal === null ? `exited with code ${code}` : `was killed by ${signal}`;
        const detail = stderr.trim().slice(0, STDERR_LIMIT);
        settle(
          failure(
            "runner-failed",
            `dagtest's Python runner (${python}) ${how}${detail ? `: ${detail}` : ""}`,
          ),
        );
        return;
      }
      settle(parseOutput(Buffer.concat(stdout).toString("utf8"), scripts));
    });
    // The runner may exit before reading stdin (e.g. a broken interpreter); EPIPE is then
    // expected and the exit code tells the real story.
    child.stdin?.on("error", () => {});
    child.stdin?.end(request);
  });
}

function failure(
  reason: "python-not-found" | "runner-failed" | "bad-output",
  message: string,
): DescribeOutcome {
  return { ok: false, reason, message };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function parseOutput(text: string, scripts: readonly string[]): DescribeOutcome {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return failure(
      "bad-output",
      `the Python runner did not print JSON (${errorText(error)}): ${text.slice(0, 200)}`,
    );
  }
  const problem = checkResult(value, scripts);
  if (problem !== null) return failure("bad-output", `unexpected result from the Python runner: ${problem}`);
  return { ok: true, result: value as DescribeResult };
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Returns what is wrong with `value` as a DescribeResult for `scripts`, or null when it can be trusted. */
function checkResult(value: unknown, scripts: readonly string[]): string | null {
  if (!isRecord(value)) return "not a JSON object";
  if (value.protocolVersion !== PROTOCOL_VERSION) {
    return `protocolVersion ${JSON.stringify(value.protocolVersion)} (expected ${PROTOCOL_VERSION})`;
  }
  const py = value.python;
  if (!isRecord(py) || !["executable", "version", "implementation"].every((k) => typeof py[k] === "string")) {
    return "missing or malformed `python`";
  }
  if (!isRecord(value.packages)) return "missing `packages`";
  for (const [name, version] of Object.entries(value.packages)) {
    if (version !== null && typeof version !== "string")
      return `package ${name}: version is not a string or null`;
  }
  if (!isRecord(value.modules) || !Object.values(value.modules).every((v) => typeof v === "boolean")) {
    return "missing or malformed `modules`";
  }
  if (!isStringList(value.listedFolders)) return "missing or malformed `listedFolders`";
  const described = value.scripts;
  if (!isRecord(described)) return "missing `scripts`";
  for (const script of scripts) {
    const problem = checkScript(described[script]);
    if (problem !== null) return `script ${script}: ${problem}`;
  }
  return null;
}

const FACT_LISTS = ["inputKeys", "outputKeys", "envKeys", "jobArgAttrs", "imports"] as const;

function checkScript(facts: unknown): string | null {
  if (!isRecord(facts)) return "not described";
  if (typeof facts.path !== "string") return "no path";
  if (facts.ok === false) {
    const error = facts.error;
    return isRecord(error) && typeof error.kind === "string" && typeof error.message === "string"
      ? null
      : "malformed error";
  }
  if (facts.ok !== true) return "no ok flag";
  if (facts.main !== null && !(isRecord(facts.main) && Array.isArray(facts.main.params)))
    return "malformed main";
  for (const list of FACT_LISTS) {
    if (!Array.isArray(facts[list])) return `\`${list}\` is not a list`;
  }
  if (!isStringList(facts.localClosure)) return "`localClosure` is not a list of paths";
  return null;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}
