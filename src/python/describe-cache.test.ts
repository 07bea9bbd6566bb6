/**
 * The remembered static check: reused while nothing it depends on changed, checked afresh as
 * soon as a script, a folder listing that decides local imports, or an installed package changes.
 * The interpreter is a wrapper that logs each start, so a reuse is seen as no Python started.
 */
import { chmodSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir, testPython, writeTree } from "../../tests/helpers/paths.js";
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
    `#!/bin/sh\necho start >> '${log}'\nPYTHONPATH='${site}' exec '${testPython()}' "$@"\n`,
  );
  chmodSync(python, 0o755);
  writeTree(project, {
    "src/train.py": "import os\nimport helpers\n\ndef main(a, b, c, d):\n    os.environ['EPOCHS']\n",
    "src/helpers.py": "X = 1\n",
  });
});

const starts = () => readFileSync(log, "utf8").split("\n").filter(Boolean).length;
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
});
