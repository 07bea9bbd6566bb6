/**
 * The built `dagtest init` and `dagtest status`, driven as a user would: in a real pseudo-terminal
 * (tests/helpers/pty_driver.py types the answers, a wrong path, `<` to go back, Ctrl-C), and
 * without a terminal (answers file, or a list of what is missing). Never by calling the wizard.
 */
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSpecProject } from "../../src/config/project.js";
import { planProject } from "../../src/plan/build.js";
import { buildCli } from "../helpers/cli.js";
import { exampleCopy, exampleFileFlags } from "../helpers/factory.js";
import { removeTempDirs, repoRoot, testPython } from "../helpers/paths.js";
import { inTerminal, type TerminalResult, type TerminalStep } from "../helpers/terminal.js";

const cli = path.join(repoRoot, "dist/cli/main.js");
const START_FLAGS = [...exampleFileFlags, "--path", "dockers/tabular_example=src"];

// Built once, under a lock shared with the other end-to-end test files.
beforeAll(() => buildCli(), 120_000);

afterAll(removeTempDirs);

function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", DAGTEST_PYTHON: testPython() };
  delete env.FORCE_COLOR;
  delete env.CI; // clack draws differently on CI; a person at a terminal is not on CI
  return env;
}

/** `dagtest ...` without a terminal (stdin and stdout are pipes). */
function dagtest(args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [cli, ...args], {
    cwd,
    env: cliEnv(),
    encoding: "utf8",
    timeout: 120_000,
  });
}

/** `dagtest ...` in a pseudo-terminal, answering as scripted. */
function dagtestInTerminal(args: string[], cwd: string, steps: readonly TerminalStep[]): TerminalResult {
  return inTerminal([process.execPath, cli, ...args], { cwd, env: cliEnv(), steps });
}

const ask = (port: string) => `data of CradleDataLoading_${port.replace(".", "\\.")}\\?`;

/** The questions the wizard asked, as `node.port`, in order (each prompt is drawn once when submitted). */
function asked(transcript: string): string[] {
  return [...transcript.matchAll(/◇ {2}Where is the data of (\S+)\?/g)].map((m) => m[1]!);
}

async function planOf(dir: string) {
  return planProject(loadSpecProject(path.join(dir, "dagtest.yaml"), { python: testPython() }));
}

const HAND_WRITTEN = [
  "# Hand-written test spec: the wizard must not touch it unless told to write.",
  "version: 1",
  "dag: pipeline.dag.json # cursus format",
  "config: pipeline_config/config.json",
  "interfaces: [interfaces]",
  "paths:",
  "  dockers/tabular_example: src",
  "nodes:",
  "  CradleDataLoading_training:",
  "    outputs:",
  "      DATA: data/training/data",
  "      SIGNATURE: data/training/signature",
  "",
].join("\n");

describe("dagtest init in a terminal", () => {
  it("asks only for the phantoms' data, re-asks after a wrong path, goes back, and writes a valid spec", async () => {
    const dir = exampleCopy();
    const result = dagtestInTerminal(["init", ...START_FLAGS], dir, [
      { expect: ask("training.DATA"), send: "data/training/dta\r" },
      { expect: "does not exist" },
      { expect: ask("training.DATA"), send: "data/training/data\r" },
      { expect: ask("training.SIGNATURE"), send: "data/training/signature\r" },
      { expect: ask("calibration.DATA"), send: "<\r" },
      // Back on the previous question, its answer pre-filled: clear it (Ctrl-U) and type it again.
      { expect: ask("training.SIGNATURE"), send: "\u0015data/training/signature\r" },
      { expect: ask("calibration.DATA"), send: "data/calibration/data\r" },
      { expect: ask("calibration.SIGNATURE"), send: "data/calibration/signature\r" },
      { expect: "Write dagtest\\.yaml\\?", send: "\r" },
    ]);
    expect(result.exitCode, result.transcript).toBe(0);
    const screen = result.transcript;
    expect(screen).toMatch(/2 question\(s\) to answer and 2 optional one\(s\)/);
    expect(asked(screen)).toEqual([
      "CradleDataLoading_training.DATA",
      "CradleDataLoading_training.DATA",
      "CradleDataLoading_training.SIGNATURE",
      "CradleDataLoading_calibration.DATA",
      "CradleDataLoading_training.SIGNATURE",
      "CradleDataLoading_calibration.DATA",
      "CradleDataLoading_calibration.SIGNATURE",
    ]);
    // The wrong answer: the script, the field and the fix, then the same question again.
    expect(screen).toMatch(
      /CradleDataLoading_training: outputs\.DATA: the path data\/training\/dta does not exist/,
    );
    expect(screen).toMatch(/fix: Create it, or give an existing folder/);
    // Upstream context and pre-filled values with their sources.
    expect(screen).toMatch(
      /DATA\* ← phantom CradleDataLoading_training\.DATA \(needs data, wire score 1\.00; phantom: not-processing-or-training\)/,
    );
    expect(screen).toMatch(/LABEL_FIELD = is_fraud \(config label_name\)/);
    expect(screen).toMatch(/OUTPUT_FORMAT = CSV \(interface default\)/);
    expect(screen).toMatch(
      /data_input\* ← TabularPreprocessing_training\.processed_data \(upstream, wire score/,
    );
    expect(screen).toMatch(/ready for testing: yes/);

    const plan = await planOf(dir);
    expect(plan.summary.ready).toBe(true);
    expect(plan.summary.questions).toBe(0);
    const text = readFileSync(path.join(dir, "dagtest.yaml"), "utf8");
    expect(text).toContain("DATA: data/training/data");
    expect(text).not.toContain("dta");
    const run = dagtest(["run", "--jobs", "2"], dir);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/pipeline passed: 8 passed, 0 failed, 3 skipped/);
  });

  it("Ctrl-C half-way leaves an existing dagtest.yaml byte-identical", () => {
    const dir = exampleCopy();
    const file = path.join(dir, "dagtest.yaml");
    writeFileSync(file, HAND_WRITTEN);
    const result = dagtestInTerminal(["init"], dir, [
      { expect: ask("calibration.DATA"), send: "data/calibration/data\r" },
      { expect: ask("calibration.SIGNATURE"), send: "\u0003" },
    ]);
    expect(result.exitCode, result.transcript).not.toBe(0);
    expect(result.transcript).toMatch(/nothing written/);
    expect(readFileSync(file, "utf8")).toBe(HAND_WRITTEN);
    expect(readdirSync(dir).filter((f) => f.startsWith("dagtest.yaml"))).toEqual(["dagtest.yaml"]);
  });

  it("refines an existing spec: asks only what it lacks, and keeps its comments", async () => {
    const dir = exampleCopy();
    const file = path.join(dir, "dagtest.yaml");
    writeFileSync(file, HAND_WRITTEN);
    const result = dagtestInTerminal(["init"], dir, [
      { expect: ask("calibration.DATA"), send: "data/calibration/data\r" },
      { expect: ask("calibration.SIGNATURE"), send: "data/calibration/signature\r" },
      { expect: "Write dagtest\\.yaml\\?", send: "\r" },
    ]);
    expect(result.exitCode, result.transcript).toBe(0);
    expect(asked(result.transcript)).toEqual([
      "CradleDataLoading_calibration.DATA",
      "CradleDataLoading_calibration.SIGNATURE",
    ]);
    expect(readFileSync(file, "utf8")).toBe(
      `${HAND_WRITTEN}  CradleDataLoading_calibration:\n    outputs:\n      DATA: data/calibration/data\n      SIGNATURE: data/calibration/signature\n`,
    );
    expect((await planOf(dir)).summary.ready).toBe(true);
  });
});

describe("dagtest init without a terminal", () => {
  it("exits 2 listing every missing key and an answers-file example, and writes nothing", () => {
    const dir = exampleCopy();
    const result = dagtest(["init", ...START_FLAGS], dir);
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain("DAGTEST_NOT_CONFIGURED");
    expect(result.stderr).toContain("nodes.CradleDataLoading_training.outputs.DATA");
    expect(result.stderr).toContain("nodes.CradleDataLoading_calibration.outputs.DATA");
    expect(result.stderr).toMatch(/hint: .*--answers answers\.yaml/);
    expect(result.stderr).toMatch(/^ +nodes\.CradleDataLoading_training\.outputs\.DATA: <path>$/m);
    expect(result.stderr).not.toMatch(/^ {4}at /m);
    expect(existsSync(path.join(dir, "dagtest.yaml"))).toBe(false);
  });

  it("rejects a bad answer naming its key and the fix", () => {
    const dir = exampleCopy();
    writeFileSync(
      path.join(dir, "answers.yaml"),
      "nodes.CradleDataLoading_training.outputs.DATA: data/training/data\nnodes.CradleDataLoading_calibration.outputs.DTA: data/calibration/data\n",
    );
    const result = dagtest(["init", ...START_FLAGS, "--answers", "answers.yaml"], dir);
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain("DAGTEST_INVALID_CONFIGURATION");
    expect(result.stderr).toContain(
      'nodes.CradleDataLoading_calibration.outputs.DTA: CradleDataLoading_calibration: outputs.DTA: CradleDataLoading_calibration has no output "DTA"',
    );
    expect(result.stderr).toContain('Did you mean "DATA"?');
    expect(existsSync(path.join(dir, "dagtest.yaml"))).toBe(false);
  });

  it("with --answers (and --set) writes a valid spec and exits 0", async () => {
    const dir = exampleCopy();
    writeFileSync(
      path.join(dir, "answers.yaml"),
      [
        "nodes:",
        "  CradleDataLoading_training:",
        "    outputs: { DATA: data/training/data, SIGNATURE: data/training/signature }",
        "nodes.CradleDataLoading_calibration.outputs.DATA: data/calibration/data",
        "",
      ].join("\n"),
    );
    const result = dagtest(
      [
        "init",
        ...START_FLAGS,
        "--answers",
        "answers.yaml",
        "--set",
        "nodes.CradleDataLoading_calibration.outputs.SIGNATURE=data/calibration/signature",
      ],
      dir,
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ready for testing: yes/);
    expect(result.stdout).toContain(`Wrote ${path.join(dir, "dagtest.yaml")}`);
    const plan = await planOf(dir);
    expect(plan.summary.ready).toBe(true);
    const phantom = plan.nodes.find((n) => n.name === "CradleDataLoading_calibration");
    expect(phantom?.kind === "phantom" && phantom.suppliedOutputs.SIGNATURE).toBe(
      path.join(dir, "data/calibration/signature"),
    );
  });
});

describe("dagtest init --set: any key of dagtest.yaml", () => {
  it("accepts settings beside answers, validates them with the schema, and keeps them", () => {
    const dir = exampleCopy();
    cpSync(path.join(repoRoot, "examples/tabular/dagtest.yaml"), path.join(dir, "dagtest.yaml"));
    const set = (pairs: string[]) => dagtest(["init", "--yes", ...pairs.flatMap((p) => ["--set", p])], dir);
    const bad = set(["run.timeout=-3", "run.nope=1"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("DAGTEST_SPEC_INVALID");
    expect(bad.stderr).toContain("run.timeout");
    expect(bad.stderr).toContain("after setting run.timeout, run.nope");
    const good = set(["run.guards.stub_modules=[boto3]", "nodes.Package.skip=true", "run.timeout=30"]);
    expect(good.status, good.stderr).toBe(0);
    const spec = readFileSync(path.join(dir, "dagtest.yaml"), "utf8");
    expect(spec).toMatch(/Package:\n\s+skip: true/);
    expect(spec).toMatch(/stub_modules:\n\s+- boto3/);
    expect(spec).toContain("timeout: 30");
    // The example's own comments survive the edit.
    expect(spec).toContain("# CradleDataLoading is an internal data service");
  });
});

describe("dagtest status", () => {
  it("before and after: no spec, a partial one, then a complete one", () => {
    const dir = exampleCopy();
    const none = dagtest(["status"], dir);
    expect(none.status, none.stderr).toBe(2);
    expect(none.stderr).toContain("DAGTEST_SPEC_NOT_FOUND");
    expect(none.stderr).toContain("dagtest init");

    writeFileSync(path.join(dir, "dagtest.yaml"), HAND_WRITTEN);
    const partial = dagtest(["status"], dir);
    expect(partial.status, partial.stderr).toBe(1);
    expect(partial.stdout).toMatch(/^ {2}TabularPreprocessing_training +complete$/m);
    expect(partial.stdout).toMatch(/^ {2}TabularPreprocessing_calibration +pending$/m);
    expect(partial.stdout).toMatch(
      /missing inputs\.DATA: answer at nodes\.CradleDataLoading_calibration\.outputs\.DATA/,
    );
    // A saved dagtest.yaml accepted it: the same word as `dagtest init` uses.
    expect(partial.stdout).toMatch(/^ {2}RiskTableMapping_training +auto-configured$/m);
    expect(partial.stdout).toMatch(/○ Registration {2}not-processing-or-training/);
    expect(partial.stdout).toMatch(/Ready for testing: no/);
    const json = JSON.parse(dagtest(["status", "--json"], dir).stdout) as {
      readyForTesting: boolean;
      scripts: { name: string; state: string; missing: { answerAt: string }[] }[];
      phantoms: { node: string; reason: string }[];
    };
    expect(json.readyForTesting).toBe(false);
    expect(
      json.scripts.filter((s) => s.missing.length > 0).flatMap((s) => s.missing.map((m) => m.answerAt)),
    ).toEqual(["nodes.CradleDataLoading_calibration.outputs.DATA"]);
    expect(json.phantoms.map((p) => p.node)).toEqual([
      "CradleDataLoading_training",
      "CradleDataLoading_calibration",
      "Registration",
    ]);

    const init = dagtest(
      ["init", "--set", "nodes.CradleDataLoading_calibration.outputs.DATA=data/calibration/data"],
      dir,
    );
    expect(init.status, init.stderr).toBe(0);
    const after = dagtest(["status", dir], repoRoot);
    expect(after.status, after.stdout).toBe(0);
    expect(after.stdout).toMatch(/^ {2}TabularPreprocessing_calibration +complete$/m);
    expect(after.stdout).toMatch(/Ready for testing: yes/);
  });
});
