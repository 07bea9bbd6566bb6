/**
 * `dagtest status [PATH]`: how far the test spec is. Each script's state and what it still misses,
 * the phantoms and why, ready for testing or not. Exit 0 when ready, 1 when not; writes nothing.
 */
import path from "node:path";
import type { Command } from "commander";
import pc from "picocolors";
import { createTestingFactory } from "../../factory/create.js";
import type { TestingFactory } from "../../factory/factory.js";
import type { ConfigurationState, FactorySummary, SkippedNode } from "../../factory/types.js";
import { maxOf } from "../../util/arrays.js";
import type { CommandResult } from "../result.js";
import { type FactoryCliOptions, factoryOptions } from "../wizard/options.js";
import { relativeTo, stateText } from "../wizard/render.js";
import { addProjectOptions } from "./plan.js";

interface StatusOptions extends FactoryCliOptions {
  json?: boolean;
}

export interface StatusReport {
  readonly specFile: string;
  readonly readyForTesting: boolean;
  readonly scripts: readonly {
    readonly name: string;
    readonly state: ConfigurationState;
    readonly missing: readonly {
      readonly field: string;
      readonly answerAt: string;
      readonly message: string;
    }[];
  }[];
  readonly phantoms: readonly (SkippedNode & { readonly outputs: Readonly<Record<string, string | null>> })[];
  readonly planErrors: readonly string[];
  readonly summary: FactorySummary;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerStatus(program: Command, done: (result: CommandResult) => void): void {
  addProjectOptions(
    program
      .command("status")
      .argument("[path]", "a dagtest.yaml or the folder holding one (default: the current folder)")
      .description("show each script's configuration state, what is missing, and whether testing can start"),
  )
    .option("--path <prefix=dir>", "remap a config source dir prefix (only without a dagtest.yaml)", collect)
    .option("--json", "print the status as JSON")
    .action(async (target: string | undefined, options: StatusOptions) => {
      const factory = await createTestingFactory(factoryOptions(target, options));
      const report = statusReport(factory);
      const stdout = options.json ? `${JSON.stringify(report, null, 2)}\n` : renderStatus(report);
      done({ stdout, exitCode: report.readyForTesting ? 0 : 1 });
    });
}

export function statusReport(factory: TestingFactory): StatusReport {
  const summary = factory.getTestingFactorySummary();
  return {
    specFile: factory.specFile,
    readyForTesting: summary.readyForTesting,
    scripts: factory.getScriptsRequiringTesting().map((name) => ({
      name,
      state: summary.states[name] ?? "pending",
      missing: factory.getScriptTestingRequirements(name).missing,
    })),
    phantoms: summary.skippedNodes.map((s) => {
      const node = factory.plan.nodes.find((n) => n.name === s.node);
      return { ...s, outputs: node?.kind === "phantom" ? node.suppliedOutputs : {} };
    }),
    planErrors: factory.plan.problems.filter((p) => p.severity === "error").map((p) => p.message),
    summary,
  };
}

function renderStatus(report: StatusReport): string {
  const rel = relativeTo(path.dirname(report.specFile));
  const width = maxOf(
    report.scripts.map((s) => s.name.length),
    0,
  );
  const lines = [
    pc.bold(`dagtest status: ${report.specFile}`),
    "",
    pc.bold(`Scripts (${report.scripts.length})`),
  ];
  for (const s of report.scripts) {
    lines.push(`  ${s.name.padEnd(width)}  ${stateText(s.state)}`);
    for (const m of s.missing)
      lines.push(`      ${pc.yellow("missing")} ${m.field}: answer at ${pc.cyan(m.answerAt)}`);
  }
  if (report.phantoms.length > 0)
    lines.push("", pc.bold(`Phantoms (${report.phantoms.length}): cannot run locally`));
  for (const p of report.phantoms) {
    lines.push(`  ○ ${p.node}  ${pc.dim(`${p.reason}: ${p.detail}`)}`);
    const outputs = Object.entries(p.outputs).map(
      ([port, at]) => `${port} ${at ? `= ${rel(at)}` : pc.dim("(no data)")}`,
    );
    if (outputs.length > 0) lines.push(`      outputs ${outputs.join(", ")}`);
  }
  if (report.planErrors.length > 0) {
    lines.push("", pc.bold(pc.red(`Plan errors (${report.planErrors.length})`)));
    for (const e of report.planErrors) lines.push(`  ${e}`);
  }
  const pending = report.scripts.filter((s) => s.missing.length > 0).length;
  lines.push(
    "",
    report.readyForTesting
      ? pc.green("Ready for testing: yes. Next: dagtest run")
      : pc.yellow(
          `Ready for testing: no${pending > 0 ? ` (${pending} script(s) need answers: dagtest init)` : ""}${report.planErrors.length > 0 ? " (plan errors: dagtest plan)" : ""}`,
        ),
  );
  return `${lines.join("\n")}\n`;
}
