import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { appendAll, maxOf } from "../../src/util/arrays.js";

const src = path.join(import.meta.dirname, "..", "..", "src");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [full] : [];
  });
}

// Every element of a spread argument is pushed on the call stack: with a DAG of about 120,000
// nodes, `nodes.splice(0, n, ...tracked)` threw "Maximum call stack size exceeded" (exit 70).
const SPREAD_CALL =
  /\b(push|unshift|splice|max|min|fromCharCode|fromCodePoint|apply)\(\s*(?:[^()]*,\s*)?\.\.\./;

describe("no argument spread whose size depends on the input", () => {
  it("src/ has no push(...x), splice(..., ...x), Math.max(...x) and the like", () => {
    const offenders: string[] = [];
    for (const file of sources(src)) {
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (SPREAD_CALL.test(line) && !line.trim().startsWith("*"))
            offenders.push(`${path.relative(src, file)}:${i + 1}`);
        });
    }
    expect(offenders).toEqual([]);
  });

  it("appendAll and maxOf handle a million items", () => {
    const many = Array.from({ length: 1_000_000 }, (_, i) => i);
    expect(appendAll([-1], many)).toHaveLength(1_000_001);
    expect(maxOf(many, 0)).toBe(999_999);
    expect(maxOf([], 4)).toBe(4);
  });
});
