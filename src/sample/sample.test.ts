import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir, testPython, writeTree } from "../../tests/helpers/paths.js";
import { Random } from "../synth/random.js";
import { sampleDataset } from "./dataset.js";
import { MIN_PER_CLASS, quotas, stratifiedPick } from "./pick.js";

afterAll(removeTempDirs);

const options = (over = {}) => ({
  rows: 20,
  seed: 1,
  label: "y",
  signature: null,
  python: testPython(),
  ...over,
});

describe("stratified picking", () => {
  it("keeps each class's share, with a minimum per class, summing to n", () => {
    expect(quotas([900, 100], 50)).toEqual([44, 6]);
    expect(quotas([500, 500], 50)).toEqual([25, 25]);
    expect(quotas([3, 1000], 50)).toEqual([3, 47]);
    expect(quotas([10, 10, 10], 10).reduce((a, b) => a + b, 0)).toBe(10);
    expect(MIN_PER_CLASS).toBe(6);
  });

  it("is deterministic for a seed and different for another", () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const label = (i: number) => String(i % 4 === 0);
    const a = stratifiedPick(items, label, 40, new Random(1));
    expect(stratifiedPick(items, label, 40, new Random(1))).toEqual(a);
    expect(stratifiedPick(items, label, 40, new Random(2))).not.toEqual(a);
    expect(a.filter((i) => i % 4 === 0)).toHaveLength(10);
  });
});

describe("sampling a dataset folder", () => {
  const csv = (n: number, header: boolean) =>
    `${header ? "id,x,y\n" : ""}${Array.from({ length: n }, (_, i) => `${i},${i * 2},${i % 5 === 0 ? 1 : 0}`).join("\n")}\n`;

  it("cuts the shards to n rows in total, keeps headers, copies side files unchanged", () => {
    const src = writeTree(tempDir(), {
      "part-00000.csv": csv(300, true),
      "part-00001.csv": csv(100, true),
      _SUCCESS: "",
    });
    const out = tempDir();
    const counts = sampleDataset(
      src,
      ["_SUCCESS", "part-00000.csv", "part-00001.csv"].map((f) => path.join(src, f)),
      out,
      options(),
    );
    expect(counts.map(([f, , seen]) => [f, seen])).toEqual([
      ["part-00000.csv", 300],
      ["part-00001.csv", 100],
    ]);
    expect(counts.reduce((a, [, kept]) => a + kept, 0)).toBe(20);
    const lines = readFileSync(path.join(out, "part-00000.csv"), "utf8").trim().split("\n");
    expect(lines[0]).toBe("id,x,y");
    expect(readFileSync(path.join(out, "_SUCCESS"), "utf8")).toBe("");
  });

  it("finds the label of headerless shards through the signature", () => {
    const src = writeTree(tempDir(), { "part-00000.csv": csv(500, false) });
    const out = tempDir();
    sampleDataset(src, [path.join(src, "part-00000.csv")], out, options({ signature: ["id", "x", "y"] }));
    const rows = readFileSync(path.join(out, "part-00000.csv"), "utf8").trim().split("\n");
    expect(rows).toHaveLength(20);
    expect(rows.filter((r) => r.endsWith(",1"))).toHaveLength(MIN_PER_CLASS);
  });

  it("samples Parquet through the scripts' interpreter", () => {
    const src = tempDir();
    execFileSync(testPython(), [
      "-c",
      "import sys, pandas as pd; pd.DataFrame({'id': range(1000), 'y': [i % 2 for i in range(1000)]}).to_parquet(sys.argv[1] + '/part-00000.parquet')",
      src,
    ]);
    const out = tempDir();
    const counts = sampleDataset(src, [path.join(src, "part-00000.parquet")], out, options({ rows: 30 }));
    expect(counts).toEqual([["part-00000.parquet", 30, 1000]]);
    const read = execFileSync(
      testPython(),
      [
        "-c",
        // os._exit: pyarrow's thread pool can abort at interpreter teardown ("terminate called
        // without an active exception"), after the answer is printed.
        "import os, sys, pandas as pd; df = pd.read_parquet(sys.argv[1]); print(len(df), int(df.y.sum()), flush=True); os._exit(0)",
        path.join(out, "part-00000.parquet"),
      ],
      { encoding: "utf8" },
    );
    expect(read.trim()).toBe("30 15");
  });
});
