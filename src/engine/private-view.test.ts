import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir, writeTree } from "../../tests/helpers/paths.js";
import { InputCopyError, privateView } from "./private-view.js";

afterAll(removeTempDirs);

describe("privateView", () => {
  it("gives a folder's copy at the view path, and a file's copy under it by its own name", () => {
    const data = tempDir();
    writeTree(data, { "rows.csv": "a\n1\n", "hp.json": "{}" });
    const views = tempDir();
    expect(privateView(data, path.join(views, "DATA"))).toBe(path.join(views, "DATA"));
    expect(readFileSync(path.join(views, "DATA", "rows.csv"), "utf8")).toBe("a\n1\n");
    const file = privateView(path.join(data, "hp.json"), path.join(views, "HP"));
    expect(file).toBe(path.join(views, "HP", "hp.json"));
  });

  it("gives a missing input a path that does not exist either, inside the node's folder", () => {
    const views = tempDir();
    expect(privateView(path.join(tempDir(), "nothing"), path.join(views, "X"))).toBe(path.join(views, "X"));
  });

  it("says which input could not be copied, as an InputCopyError (not a crash of dagtest)", () => {
    const data = tempDir();
    writeTree(data, { "rows.csv": "a\n" });
    const blocker = path.join(tempDir(), "a-file");
    writeFileSync(blocker, "");
    const copy = () => privateView(data, path.join(blocker, "DATA"));
    expect(copy).toThrow(InputCopyError);
    expect(copy).toThrow(`its input ${data} could not be copied`);
  });
});
