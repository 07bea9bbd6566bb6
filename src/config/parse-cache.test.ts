import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DagtestError } from "../errors.js";
import { withParseCache } from "./parse-cache.js";
import { loadSource } from "./source.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("the parse cache", () => {
  it("remembers a YAML file's data by its text, sees every edit, and still reports a broken file", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "dagtest-parse-"));
    dirs.push(dir);
    const file = path.join(dir, "a.yaml");
    const cache = path.join(dir, "cache", "parsed.json");
    const load = () => withParseCache(cache, () => loadSource(file, "test file").data);
    writeFileSync(file, "a: 1\nb: [x, y]\n");
    expect(load()).toEqual({ a: 1, b: ["x", "y"] });
    expect(existsSync(cache)).toBe(true);
    // A hit gives the same data (and a fresh copy each time).
    const first = load() as { b: string[] };
    first.b.push("changed");
    expect(load()).toEqual({ a: 1, b: ["x", "y"] });
    writeFileSync(file, "a: 2\n");
    expect(load()).toEqual({ a: 2 });
    writeFileSync(file, "a: [1\n");
    expect(load).toThrow(DagtestError);
    // .inf has no JSON form: parsed every time, never stored wrongly.
    writeFileSync(file, "x: .inf\n");
    expect(load()).toEqual({ x: Number.POSITIVE_INFINITY });
    expect(load()).toEqual({ x: Number.POSITIVE_INFINITY });
    expect(readFileSync(cache, "utf8")).not.toContain("null");
  });
});
