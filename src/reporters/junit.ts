/** JUnit XML: one test case per node, for CI dashboards. Written when the run ends. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Reporter, RunEvent } from "../model/events.js";
import type { Plan } from "../model/plan.js";
import type { RunResult, ScriptResult } from "../model/run.js";
import { CHECK_REASONS, checkFindings } from "./check-text.js";

export class JUnitReporter implements Reporter {
  readonly #file: string;
  #plan: Plan | null = null;

  constructor(file: string) {
    this.#file = file;
  }

  onEvent(event: RunEvent): void {
    if (event.type === "runStart") this.#plan = event.plan;
    if (event.type === "runEnd") {
      mkdirSync(path.dirname(this.#file), { recursive: true });
      writeFileSync(this.#file, junitXml(event.result, this.#plan));
    }
  }
}

export function junitXml(result: RunResult, plan: Plan | null): string {
  const cases = Object.values(result.scriptResults);
  const failures = cases.filter((c) => c.status === "failed" || c.status === "cancelled").length;
  const skipped = cases.filter((c) => c.status === "skipped").length;
  const time = (ms: number) => (ms / 1000).toFixed(3);
  const stepType = (node: string) => plan?.nodes.find((n) => n.name === node)?.stepType ?? "pipeline";
  const body = cases.map((c) => testCase(c, stepType(c.node), time)).join("\n");
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="dagtest" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time(result.durationMs)}">`,
    `  <testsuite name="dagtest run ${xmlEscape(result.runId)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time(result.durationMs)}" timestamp="${result.startedAt}">`,
    body,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}

function testCase(c: ScriptResult, classname: string, time: (ms: number) => string): string {
  const open = `    <testcase classname="${xmlEscape(classname)}" name="${xmlEscape(c.node)}" time="${time(c.durationMs)}"`;
  if (c.status === "passed" || c.status === "cached") return `${open}/>`;
  if (c.status === "skipped")
    return `${open}>\n      <skipped message="${xmlEscape(c.message)}"/>\n    </testcase>`;
  const findings = checkFindings(c);
  const detail = [
    findings.length > 0 ? `${c.reason}:\n${findings.join("\n")}` : "",
    c.error?.traceback ?? "",
    c.logTail && !CHECK_REASONS.has(c.reason ?? "") ? `--- log tail ---\n${c.logTail}` : "",
  ]
    .filter(Boolean)
    .join("\n");
  return [
    `${open}>`,
    `      <failure message="${xmlEscape(c.message)}" type="${xmlEscape(c.reason ?? c.status)}">${xmlEscape(detail)}</failure>`,
    c.logs ? `      <system-err>${xmlEscape(`logs: ${c.logs.stdout} ${c.logs.stderr}`)}</system-err>` : "",
    "    </testcase>",
  ]
    .filter(Boolean)
    .join("\n");
}

/** XML text and attribute escaping; characters XML 1.0 forbids are dropped. */
export function xmlEscape(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML forbids
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
  );
}
