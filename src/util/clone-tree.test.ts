import { appendFileSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir, writeTree } from "../../tests/helpers/paths.js";
import { cloneTree } from "./clone-tree.js";
import { listFiles } from "./files.js";

afterAll(removeTempDirs);

describe("cloneTree", () => {
  it("copies a folder (nested, symlinks followed) into files of its own: a write to the copy never reaches the original", () => {
    const source = tempDir();
    writeTree(source, { "a.csv": "a\n1\n", "nested/deeper/b.csv": "b\n2\n" });
    const outside = path.join(tempDir(), "outside.csv");
    writeFileSync(outside, "o\n");
    symlinkSync(outside, path.join(source, "link.csv"));
    symlinkSync(path.join(source, "nested"), path.join(source, "nested-link"));
    symlinkSync(path.join(source, "missing"), path.join(source, "dangling"));
    symlinkSync(source, path.join(source, "nested", "loop")); // back to the top: left out
    const target = path.join(tempDir(), "view");
    expect(cloneTree(source, target)).toEqual({ files: 4, bytes: 14 });
    const copies = listFiles(target).map((f) => path.relative(target, f));
    expect(copies.sort()).toEqual(["a.csv", "link.csv", "nested-link/deeper/b.csv", "nested/deeper/b.csv"]);
    for (const file of listFiles(target)) {
      expect(statSync(file).nlink).toBe(1); // no hard link
      appendFileSync(file, "changed\n");
    }
    expect(readFileSync(path.join(source, "a.csv"), "utf8")).toBe("a\n1\n");
    expect(readFileSync(path.join(source, "nested/deeper/b.csv"), "utf8")).toBe("b\n2\n");
    expect(readFileSync(outside, "utf8")).toBe("o\n");
  });

  it("copies a single file to the target path", () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, "in"));
    writeFileSync(path.join(dir, "in/hp.json"), "{}");
    const target = path.join(dir, "view", "hp.json");
    expect(cloneTree(path.join(dir, "in/hp.json"), target)).toEqual({ files: 1, bytes: 2 });
    expect(readFileSync(target, "utf8")).toBe("{}");
  });
});
