/**
 * The remembered static check and the closure of local imports: a script's facts now depend on
 * the local files it imports through other local files, so editing any of them, or a folder that
 * decides where their imports resolve, must check the script again. Python is a wrapper that logs
 * each start, so a reuse is seen as no Python started.
 */
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir, testPython, writeTree } from "../../tests/helpers/paths.js";
import { describeScriptsCached } from "./describe-cache.js";

afterAll(removeTempDirs);

let project: string;
let log: string;
let python: string;

beforeEach(() => {
  project = tempDir();
  log = path.join(tempDir(), "starts.log");
  writeFileSync(log, "");
  python = path.join(tempDir(), "python");
  writeFileSync(python, `#!/bin/sh\necho start >> '${log}'\nexec '${testPython()}' "$@"\n`);
  chmodSync(python, 0o755);
  writeTree(project, {
    "src/train.py": "import helper\n\ndef main(a, b, c, d):\n    pass\n",
    "src/helper.py": "import deep\n",
    "src/deep.py": "X = 1\n",
    "src/lib/__init__.py": "",
  });
});

const starts = () => readFileSync(log, "utf8").split("\n").filter(Boolean).length;
const src = (rel: string) => path.join(project, "src", rel);

async function closure(): Promise<readonly string[]> {
  const outcome = await describeScriptsCached(project, python, [src("train.py")], []);
  if (!outcome.ok) throw new Error(outcome.message);
  const facts = outcome.result.scripts[src("train.py")];
  if (!facts?.ok) throw new Error(`not described: ${JSON.stringify(facts)}`);
  return facts.localClosure;
}

/** `closure()`, and whether Python had to start for it. */
async function closureAndStarted(): Promise<[readonly string[], boolean]> {
  const before = starts();
  const found = await closure();
  return [found, starts() > before];
}

describe("describeScriptsCached with local imports of local imports", () => {
  it("reuses the result while no file of the closure changes", async () => {
    expect(await closureAndStarted()).toEqual([[src("deep.py"), src("helper.py")], true]);
    expect(await closureAndStarted()).toEqual([[src("deep.py"), src("helper.py")], false]);
  });

  it("checks again when a module imported through another one changes", async () => {
    await closure();
    writeTree(project, { "src/deep.py": "from lib import tools\n", "src/lib/tools.py": "" });
    expect(await closureAndStarted()).toEqual([
      [src("deep.py"), src("helper.py"), src("lib/__init__.py"), src("lib/tools.py")],
      true,
    ]);
    expect((await closureAndStarted())[1]).toBe(false);
  });

  it("checks again when a file appears where a helper's import resolves", async () => {
    writeTree(project, { "src/deep.py": "import lib.extra\n" });
    expect(await closureAndStarted()).toEqual([
      [src("deep.py"), src("helper.py"), src("lib/__init__.py")],
      true,
    ]);
    // lib/ is a folder only the helper's import looks into.
    writeTree(project, { "src/lib/extra.py": "" });
    expect(await closureAndStarted()).toEqual([
      [src("deep.py"), src("helper.py"), src("lib/__init__.py"), src("lib/extra.py")],
      true,
    ]);
  });
});
