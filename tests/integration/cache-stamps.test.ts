/**
 * What an unchanged rerun no longer reads, through the real engine (Python's static check, the
 * cold executor, real scripts): a restored node's edges come from the profiles stored with its
 * cache entry, and a stored file whose stamp (size, mtime, ctime, inode) still matches is not
 * hashed again. A file changed in place is still caught, even with its mtime set back.
 */
import { copyFileSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CacheEntry } from "../../src/cache/entry.js";
import { fingerprintPlan } from "../../src/cache/fingerprint.js";
import { LocalCache } from "../../src/cache/store.js";
import { ColdExecutor } from "../../src/exec/cold.js";
import type { RunResult } from "../../src/model/run.js";
import { cachedRun, having, planOf, why } from "../helpers/cached-run.js";
import { removeTempDirs } from "../helpers/paths.js";
import { makeProject, prepTrainReport, script, writeOutput } from "../helpers/run-rig.js";

const executor = new ColdExecutor();
afterAll(async () => {
  await executor.close();
  removeTempDirs();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function project(): string {
  return makeProject(
    prepTrainReport(
      { source: script(writeOutput("data", "part.csv", "x,y\\n1,2\\n3,4\\n5,6\\n")), outputs: ["data"] },
      {
        source: script(writeOutput("model", "model.csv", "w,b\\n0.5,1\\n")),
        inputs: ["data"],
        outputs: ["model"],
      },
    ),
  );
}

async function entryDir(dir: string, node: string): Promise<string> {
  const fp = fingerprintPlan((await planOf(dir)).plan).get(node);
  if (!fp?.cacheable) throw new Error(`${node} should be cacheable`);
  return path.join(new LocalCache(dir).dir, "entries", fp.hash.slice(0, 2), fp.hash);
}

const readEntry = (stored: string) =>
  JSON.parse(readFileSync(path.join(stored, "entry.json"), "utf8")) as CacheEntry;

/** The edges of a run as a user reads them: everything but where the data sat. */
const edges = (r: RunResult) => r.dataFlowResults.map(({ path: _where, ...rest }) => rest);

describe("an unchanged rerun reads what it stored, not the files again", () => {
  it("reports a restored node's edges from the profile stored with its entry", async () => {
    const dir = project();
    const first = await cachedRun(executor, dir);
    expect(having(first, "passed")).toEqual(["prep", "report", "train"]);
    const stored = await entryDir(dir, "prep");
    expect(readEntry(stored).profiles).toEqual({
      data: { files: 1, bytes: 16, rows: 3, columns: ["x", "y"], formats: ["csv"] },
    });
    const again = await cachedRun(executor, dir);
    expect(having(again, "cached")).toEqual(["prep", "report", "train"]);
    expect(edges(again)).toEqual(edges(first));

    // Proof that the stored profile is what is reported: a changed record shows through.
    const entry = readEntry(stored);
    const profiles = { data: { ...entry.profiles?.data, rows: 12345 } };
    writeFileSync(path.join(stored, "entry.json"), JSON.stringify({ ...entry, profiles }));
    const third = await cachedRun(executor, dir);
    expect(third.dataFlowResults.find((f) => f.from.node === "prep")?.rows).toBe(12345);
  });

  it("stamps stored files once settled; a change with the mtime set back is still caught", async () => {
    const dir = project();
    await cachedRun(executor, dir);
    await pause(50); // a clock tick or more: the next check may stamp what the run could not
    expect(having(await cachedRun(executor, dir), "cached")).toEqual(["prep", "report", "train"]);
    const stored = await entryDir(dir, "train");
    const record = readEntry(stored).files[0];
    expect(record?.stamp).toMatch(/^\d+:\d+:\d+:\d+$/);

    // Same size, other bytes, and the old mtime back (as `touch -r` or `cp -p` would leave it):
    // only the ctime, which nobody can set, tells. The entry is damaged, the node runs again.
    const file = path.join(stored, "files/model/model.csv");
    const { atime, mtime } = statSync(file);
    writeFileSync(file, readFileSync(file, "utf8").replace("0.5", "0.7"));
    utimesSync(file, atime, mtime);
    const r = await cachedRun(executor, dir);
    expect(having(r, "passed")).toEqual(["train"]);
    expect(why(r, "train")).toContain("damaged");
    expect(having(r, "cached")).toEqual(["prep", "report"]);
  });

  it("a stored file replaced by an identical copy (new inode, new ctime) is hashed, kept and stamped anew", async () => {
    const dir = project();
    await cachedRun(executor, dir);
    await pause(50);
    await cachedRun(executor, dir);
    const stored = await entryDir(dir, "prep");
    const before = readEntry(stored).files[0]?.stamp;
    // What restoring the cache folder from a backup, or `cp -a` of it, does to each file.
    const file = path.join(stored, "files/data/part.csv");
    const { atime, mtime } = statSync(file);
    copyFileSync(file, `${file}.copy`);
    renameSync(`${file}.copy`, file);
    utimesSync(file, atime, mtime);
    await pause(50);
    expect(having(await cachedRun(executor, dir), "cached")).toEqual(["prep", "report", "train"]);
    const after = readEntry(stored).files[0]?.stamp;
    expect(after).toMatch(/^\d+:\d+:\d+:\d+$/);
    expect(after).not.toBe(before);
  });
});
