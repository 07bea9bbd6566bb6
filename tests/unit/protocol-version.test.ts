/** Engine and runner speak one protocol version: the constant on each side must be the same. */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PROTOCOL_VERSION } from "../../src/model/protocol.js";
import { repoRoot } from "../helpers/paths.js";

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return listTs(full);
    return e.name.endsWith(".ts") ? [full] : [];
  });
}

describe("the runner protocol version", () => {
  it("is the same constant on the TypeScript and the Python side", () => {
    const python = readFileSync(path.join(repoRoot, "python/dagtest_runner/protocol.py"), "utf8");
    const match = /^PROTOCOL_VERSION = (\d+)$/m.exec(python);
    expect(match, "protocol.py defines PROTOCOL_VERSION at top level").not.toBeNull();
    expect(Number(match?.[1])).toBe(PROTOCOL_VERSION);
  });

  it("is defined once on the TypeScript side", () => {
    const defining = listTs(path.join(repoRoot, "src")).filter((file) =>
      /const PROTOCOL_VERSION\s*=/.test(readFileSync(file, "utf8")),
    );
    expect(defining.map((f) => path.relative(repoRoot, f))).toEqual(["src/model/protocol.ts"]);
  });
});
