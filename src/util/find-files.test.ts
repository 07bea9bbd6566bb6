import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findFiles } from "./find-files.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tree(files: readonly string[]): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "dagtest-find-"));
  dirs.push(root);
  for (const file of files) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), "");
  }
  return root;
}

const relative = (root: string, found: string[]) => found.map((f) => path.relative(root, f)).sort();

describe("findFiles", () => {
  it("finds by relative path at any depth, and takes names with glob characters literally", () => {
    const root = tree(["a.step.yaml", "x/b.step.yml", "x/y/z/c.step.yaml", "x/notes.txt", "[v1]/train.py"]);
    expect(
      relative(
        root,
        findFiles(root, (f) => /\.step\.ya?ml$/.test(f)),
      ),
    ).toEqual(["a.step.yaml", "x/b.step.yml", "x/y/z/c.step.yaml"]);
    expect(
      relative(
        root,
        findFiles(root, (f) => f.endsWith("[v1]/train.py")),
      ),
    ).toEqual(["[v1]/train.py"]);
  });

  it("does not enter hidden folders, skipped names or folders past the depth limit", () => {
    const root = tree([".venv/lib/train.py", "node_modules/p/train.py", "a/b/c/train.py", "a/train.py"]);
    const found = findFiles(root, (f) => f.endsWith("train.py"), {
      skip: new Set(["node_modules"]),
      maxDepth: 2,
    });
    expect(relative(root, found)).toEqual(["a/train.py"]);
  });

  it("follows symbolic links to folders and files, and passes over dangling ones", () => {
    const root = tree(["real/s.py"]);
    symlinkSync(path.join(root, "real"), path.join(root, "linked"));
    symlinkSync(path.join(root, "missing"), path.join(root, "dangling.py"));
    expect(
      relative(
        root,
        findFiles(root, (f) => f.endsWith(".py")),
      ),
    ).toEqual(["linked/s.py", "real/s.py"]);
  });
});
