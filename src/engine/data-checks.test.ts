import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, repoRoot, tempDir, writeTree } from "../../tests/helpers/paths.js";
import { profileTree, scanLines } from "./data-checks.js";

afterAll(removeTempDirs);

// Written by pyarrow; the snippet that made them is in src/util/parquet-footer.test.ts.
const parquet = (name: string) => path.join(repoRoot, "tests/fixtures/parquet", name);
const FLAT = ["id", "name", "score", "active", "day"];

/** A fresh folder holding copies of the named Parquet fixtures under the given names. */
function folderOf(copies: Readonly<Record<string, string>>): string {
  const dir = tempDir();
  for (const [as, name] of Object.entries(copies)) copyFileSync(parquet(name), path.join(dir, as));
  return dir;
}

describe("profileTree on Parquet", () => {
  it("gives a file's rows and top-level columns from its footer", () => {
    const file = parquet("nested.parquet");
    expect(profileTree(file)).toEqual({
      files: 1,
      bytes: statSync(file).size,
      rows: 4,
      columns: ["id", "point", "tags", "attrs", "label"],
      formats: ["parquet"],
    });
  });

  it("sums the rows of a folder's files and takes the first file's columns", () => {
    const dir = folderOf({
      "part-0.parquet": "flat-snappy.parquet",
      "part-1.parquet": "flat-uncompressed.parquet",
    });
    const profile = profileTree(dir);
    expect(profile).toMatchObject({ files: 2, rows: 246, columns: FLAT, formats: ["parquet"] });
    expect(profile.bytes).toBe(
      statSync(parquet("flat-snappy.parquet")).size + statSync(parquet("flat-uncompressed.parquet")).size,
    );
  });

  it("counts an empty table as zero rows, not unknown", () => {
    expect(profileTree(parquet("empty.parquet"))).toMatchObject({ rows: 0, columns: ["a", "b"] });
  });

  it("adds Parquet rows to text rows in a mixed folder", () => {
    const dir = folderOf({ "b.parquet": "pandas-metadata.parquet" });
    writeTree(dir, { "a.csv": "x,y\n1,2\n3,4\n" });
    mkdirSync(path.join(dir, "c"));
    copyFileSync(parquet("wide.parquet"), path.join(dir, "c/d.PARQUET"));
    expect(profileTree(dir)).toMatchObject({
      files: 3,
      rows: 2 + 3 + 2,
      columns: ["x", "y"],
      formats: ["csv", "parquet"],
    });
  });

  it("still counts a corrupt Parquet file and its bytes, without rows or columns", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "bad.parquet"), "id,name\n1,a\n");
    expect(profileTree(dir)).toEqual({
      files: 1,
      bytes: 12,
      rows: null,
      columns: null,
      formats: ["parquet"],
    });
  });

  it("skips a corrupt file's rows but keeps a valid sibling's", () => {
    const dir = folderOf({ "a.parquet": "flat-snappy.parquet" });
    writeFileSync(
      path.join(dir, "b.parquet"),
      readFileSync(parquet("flat-snappy.parquet")).subarray(0, 1000),
    );
    expect(profileTree(dir)).toMatchObject({ files: 2, rows: 123, columns: FLAT });
  });
});

describe("profileTree on text formats (unchanged)", () => {
  it("reads a CSV header and a JSON-lines object's keys", () => {
    const dir = writeTree(tempDir(), {
      "a.csv": "x,y\n1,2\n3,4\n",
      "b.jsonl": '{"k": 1}\n{"k": 2}\n',
      "notes.txt": "not tabular",
    });
    expect(profileTree(dir)).toMatchObject({
      files: 3,
      rows: 4,
      columns: ["x", "y"],
      formats: ["csv", "jsonl"],
    });
  });

  it("has no rows when no file is tabular", () => {
    const dir = writeTree(tempDir(), { "model.bin": "weights" });
    expect(profileTree(dir)).toMatchObject({ files: 1, rows: null, columns: null, formats: [] });
  });
});

describe("scanLines", () => {
  // What profiling did before counting on the bytes: decode, split at \r?\n, drop empty lines.
  const bySplit = (text: string) => text.split(/\r?\n/).filter((l) => l.length > 0);

  it("counts the non-empty lines exactly as splitting the text did, and keeps the first ones", () => {
    const pieces = ["a,b", "1,2", "", "\r", "é,ü", "x\r", " ", "\t"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces)), fc.constantFrom("\n", "\r\n"), (lines, eol) => {
        const text = lines.join(eol);
        const scanned = scanLines(Buffer.from(text, "utf8"), 2);
        const split = bySplit(text);
        expect(scanned.count).toBe(split.length);
        expect(scanned.first).toEqual(split.slice(0, 2));
      }),
    );
  });

  it("counts a last line without a newline, and nothing in an empty file", () => {
    expect(scanLines(Buffer.from("h\n1\n2"), 1)).toEqual({ count: 3, first: ["h"] });
    expect(scanLines(Buffer.alloc(0), 2)).toEqual({ count: 0, first: [] });
  });
});
