import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScriptFacts } from "../model/script-facts.js";
import { describeScripts, runnerDir } from "./describe.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const python = resolve(repoRoot, ".venv/bin/python");

let dir = "";

beforeAll(() => {
  if (!existsSync(python)) {
    throw new Error(
      `no Python virtualenv at ${python}: run \`bash scripts/setup.sh\` from ${repoRoot} first`,
    );
  }
  dir = mkdtempSync(join(tmpdir(), "dagtest-describe-"));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function script(name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

/** A stand-in "interpreter": a shell script, to provoke the failures a real one rarely shows. */
function fakePython(name: string, body: string): string {
  const path = script(name, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function okFacts(facts: ScriptFacts | undefined): Extract<ScriptFacts, { ok: true }> {
  if (facts === undefined || !facts.ok)
    throw new Error(`expected described facts, got ${JSON.stringify(facts)}`);
  return facts;
}

describe("runnerDir", () => {
  it("points at the python folder of this package", () => {
    expect(runnerDir()).toBe(resolve(repoRoot, "python"));
    expect(existsSync(join(runnerDir(), "dagtest_runner", "__main__.py"))).toBe(true);
  });
});

describe("describeScripts", () => {
  it("describes a conforming script, its sibling import and the interpreter", async () => {
    const helper = script(
      "helper.py",
      "def load(input_paths):\n    return input_paths['NOT_SEEN_FROM_TRAIN']\n",
    );
    const path = script(
      "train.py",
      [
        "import os",
        "import helper",
        "import pandas as pd",
        "REGION = os.environ.get('REGION', 'NA')",
        "",
        "def main(input_paths, output_paths, environ_vars, job_args, logger=None):",
        "    label = environ_vars['LABEL_FIELD'] + input_paths['DATA']",
        "    out = output_paths['model']",
        "    return job_args.job_type",
        "",
      ].join("\n"),
    );
    const outcome = await describeScripts(python, [path], []);
    if (!outcome.ok) throw new Error(outcome.message);
    const { result } = outcome;
    expect(result.protocolVersion).toBe(1);
    expect(result.python.implementation).toBe("CPython");
    expect(result.python.version).toMatch(/^3\.\d+\.\d+/);
    expect(result.packages).toEqual({});
    const facts = okFacts(result.scripts[path]);
    expect(facts.main).toEqual({
      line: 6,
      params: ["input_paths", "output_paths", "environ_vars", "job_args", "logger"],
      varArgs: false,
    });
    // Only the described file is read: keys used inside helper.py are not reported here.
    expect(facts.inputKeys).toEqual([{ key: "DATA", line: 7 }]);
    expect(facts.outputKeys).toEqual([{ key: "model", line: 8 }]);
    expect(facts.envKeys).toEqual([
      { key: "LABEL_FIELD", line: 7 },
      { key: "REGION", line: 4 },
    ]);
    expect(facts.jobArgAttrs).toEqual([{ key: "job_type", line: 9 }]);
    expect(facts.imports).toEqual([
      { module: "os", line: 1, localPath: null, toplevel: true },
      { module: "helper", line: 2, localPath: helper, toplevel: true },
      { module: "pandas", line: 3, localPath: null, toplevel: true },
    ]);
  });

  it("reports broken scripts as data next to good ones", async () => {
    const good = script("good.py", "def main(a, b, c, d):\n    pass\n");
    const bad = script("bad.py", "x = 1\ndef main(:\n");
    const missing = join(dir, "missing.py");
    const outcome = await describeScripts(python, [good, bad, missing], []);
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.result.scripts[good]?.ok).toBe(true);
    expect(outcome.result.scripts[bad]).toMatchObject({ ok: false, error: { kind: "syntax", line: 2 } });
    expect(outcome.result.scripts[missing]).toMatchObject({ ok: false, error: { kind: "not-found" } });
  });

  it("looks up installed package versions", async () => {
    const outcome = await describeScripts(python, [], ["pytest", "surely-not-installed-dagtest-xyz"]);
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.result.packages.pytest).toMatch(/^\d+\./);
    expect(outcome.result.packages["surely-not-installed-dagtest-xyz"]).toBeNull();
  });

  it("returns python-not-found for a missing interpreter", async () => {
    const outcome = await describeScripts(join(dir, "no", "such", "python"), [], []);
    expect(outcome).toMatchObject({ ok: false, reason: "python-not-found" });
  });

  it("returns python-not-found for a file that is not executable", async () => {
    const path = script("not-executable", "#!/bin/sh\n");
    chmodSync(path, 0o644);
    const outcome = await describeScripts(path, [], []);
    expect(outcome).toMatchObject({ ok: false, reason: "python-not-found" });
  });

  it("returns runner-failed with the runner's stderr when it exits non-zero", async () => {
    const fake = fakePython("exits-3", "echo 'something broke' >&2; exit 3");
    const outcome = await describeScripts(fake, [], []);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.reason).toBe("runner-failed");
    expect(outcome.message).toContain("exited with code 3");
    expect(outcome.message).toContain("something broke");
  });

  it("returns bad-output when stdout is not a result it can trust", async () => {
    mkdirSync(join(dir, "fakes"), { recursive: true });
    const notJson = fakePython("fakes/not-json", "cat >/dev/null; echo hello");
    const wrongVersion = fakePython(
      "fakes/v2",
      `cat >/dev/null; echo '{"protocolVersion":2,"python":{},"scripts":{},"packages":{}}'`,
    );
    const missingScript = fakePython(
      "fakes/missing-script",
      `cat >/dev/null; echo '{"protocolVersion":1,"python":{"executable":"p","version":"3.11.0","implementation":"CPython"},"scripts":{},"packages":{}}'`,
    );
    for (const fake of [notJson, wrongVersion, missingScript]) {
      const outcome = await describeScripts(fake, ["/abs/a.py"], []);
      expect(outcome, fake).toMatchObject({ ok: false, reason: "bad-output" });
    }
  });
});
