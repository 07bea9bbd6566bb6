/**
 * The remembered static check: reused while nothing it depends on changed, checked afresh as
 * soon as a script, a folder listing that decides local imports, or an installed package changes.
 * The interpreter is a wrapper that logs each start, so a reuse is seen as no Python started.
 */
import { chmodSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir, testPython, writeTree } from "../../tests/helpers/paths.js";
import { describeScripts } from "./describe.js";
import { describeScriptsCached } from "./describe-cache.js";

afterAll(removeTempDirs);

let project: string;
let site: string;
let log: string;
let python: string;

beforeEach(() => {
  project = tempDir();
  site = tempDir(); // on the wrapper's sys.path: stands for site-packages
  log = path.join(tempDir(), "starts.log");
  writeFileSync(log, "");
  python = path.join(tempDir(), "python");
  writeFileSync(
    python,
    // Logs each start with its arguments, and each describe request (stdin) on a line of its own.
    `#!/bin/sh\necho "start $*" >> '${log}'\nexport PYTHONPATH='${site}'\n` +
      `if [ "$2" = describe ]; then tee -a '${log}.requests' | '${testPython()}' "$@"; status=$?; echo >> '${log}.requests'; exit $status; fi\n` +
      `exec '${testPython()}' "$@"\n`,
  );
  chmodSync(python, 0o755);
  writeTree(project, {
    "src/train.py": "import os\nimport helpers\n\ndef main(a, b, c, d):\n    os.environ['EPOCHS']\n",
    "src/helpers.py": "X = 1\n",
  });
});

const starts = () => readFileSync(log, "utf8").split("\n").filter(Boolean).length;
const lastRequest = () =>
  JSON.parse(readFileSync(`${log}.requests`, "utf8").trim().split("\n").at(-1)!) as {
    scripts: string[];
    packages: string[];
  };
const script = () => path.join(project, "src/train.py");

async function describeOnce(packages: readonly string[] = []) {
  const outcome = await describeScriptsCached(project, python, [script()], packages);
  if (!outcome.ok) throw new Error(outcome.message);
  const facts = outcome.result.scripts[script()];
  if (!facts?.ok) throw new Error(`not described: ${JSON.stringify(facts)}`);
  return facts;
}

describe("describeScriptsCached", () => {
  it("answers an unchanged request without starting Python", async () => {
    await describeOnce();
    const afterFirst = starts();
    expect(afterFirst).toBeGreaterThan(0);
    const again = await describeOnce();
    expect(starts()).toBe(afterFirst);
    expect(again.imports.map((i) => i.localPath)).toEqual([null, path.join(project, "src/helpers.py")]);
  });

  it("checks again when the script changes", async () => {
    await describeOnce();
    writeFileSync(script(), "import os\n\ndef main(a, b, c, d):\n    os.environ['BATCH']\n");
    const before = starts();
    const facts = await describeOnce();
    expect(starts()).toBeGreaterThan(before);
    expect(facts.envKeys.map((k) => k.key)).toEqual(["BATCH"]);
  });

  it("checks again when a module appears next to the script, but not for Python's __pycache__", async () => {
    // A sibling json.py would shadow the standard library's: the import becomes local.
    writeFileSync(script(), "import os\nimport json\n\ndef main(a, b, c, d):\n    pass\n");
    expect((await describeOnce()).imports.map((i) => i.localPath)).toEqual([null, null]);
    writeTree(project, { "src/__pycache__/helpers.cpython-311.pyc": "bytecode" });
    let before = starts();
    await describeOnce();
    expect(starts()).toBe(before);
    writeTree(project, { "src/json.py": "Y = 2\n" });
    before = starts();
    const facts = await describeOnce();
    expect(starts()).toBeGreaterThan(before);
    expect(facts.imports.map((i) => i.localPath)).toEqual([null, path.join(project, "src/json.py")]);
  });

  it("checks again when a package is installed (its site-packages changes)", async () => {
    await describeOnce();
    writeTree(site, { "newpkg-1.0.dist-info/METADATA": "Name: newpkg\nVersion: 1.0\n" });
    const later = new Date(Date.now() + 5_000); // a folder's mtime may be coarse: make it differ
    utimesSync(site, later, later);
    const before = starts();
    await describeOnce();
    expect(starts()).toBeGreaterThan(before);
  });

  it("never keeps a result with a missing package: that is being fixed right now", async () => {
    await describeOnce(["surely-not-installed-dagtest-xyz"]);
    const before = starts();
    await describeOnce(["surely-not-installed-dagtest-xyz"]);
    expect(starts()).toBeGreaterThan(before);
  });

  it("after an edit, describes only the edited script, in one process, and gives the full answer", async () => {
    const other = path.join(project, "src/evaluate.py");
    writeTree(project, {
      "src/evaluate.py": "import json\nimport helpers\n\ndef main(a, b, c, d):\n    pass\n",
    });
    const both = [script(), other];
    const first = await describeScriptsCached(project, python, both, ["pip"]);
    expect(first.ok).toBe(true);
    writeFileSync(script(), "import os\nimport csv\n\ndef main(a, b, c, d):\n    os.environ['BATCH']\n");
    const before = starts();
    const edited = await describeScriptsCached(project, python, both, ["pip"]);
    expect(starts() - before).toBe(1); // no sys.path probe, no second process
    expect(lastRequest()).toEqual({ protocolVersion: 1, scripts: [script()], packages: [] });
    const fresh = await describeScripts(testPython(), both, ["pip"]);
    if (!edited.ok || !fresh.ok) throw new Error("describe failed");
    expect(edited.result.scripts).toEqual(fresh.result.scripts);
    expect(edited.result.modules).toEqual(fresh.result.modules);
    expect(edited.result.packages).toEqual(fresh.result.packages);
    // and the merged answer is remembered: the same request again starts nothing
    const again = starts();
    await describeScriptsCached(project, python, both, ["pip"]);
    expect(starts()).toBe(again);
  });

  it("describes again the scripts whose local import changed, not the others", async () => {
    const other = path.join(project, "src/evaluate.py");
    writeTree(project, {
      "src/evaluate.py": "import json\n\ndef main(a, b, c, d):\n    pass\n",
      "src/utils.py": "Y = 1\n",
    });
    const both = [script(), other];
    await describeScriptsCached(project, python, both, []);
    writeFileSync(path.join(project, "src/helpers.py"), "import utils\nX = 2\n");
    const outcome = await describeScriptsCached(project, python, both, []);
    if (!outcome.ok) throw new Error(outcome.message);
    expect(lastRequest().scripts).toEqual([script()]);
    const train = outcome.result.scripts[script()];
    expect(train?.ok && [...train.localClosure].sort()).toEqual([
      path.join(project, "src/helpers.py"),
      path.join(project, "src/utils.py"),
    ]);
  });
});
