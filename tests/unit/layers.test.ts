/**
 * The one-way import rules of STYLE.md, enforced: each folder of src/ may import only the folders
 * listed for it. A new edge that breaks a rule fails here with the file and the import.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/paths.js";

const src = path.join(repoRoot, "src");

/** Folder (or top-level file stem) → what it may import besides itself. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  model: ["errors"],
  util: [],
  errors: [],
  version: [],
  graph: ["model", "util", "errors"],
  wire: ["model", "util"],
  python: ["model"],
  config: ["model", "util", "errors", "graph"],
  plan: ["model", "util", "errors", "config", "graph", "wire", "python", "version", "synth"],
  synth: ["model", "util", "errors", "config", "python"],
  sample: ["model", "util", "errors", "config", "python", "synth"],
  scheduler: [],
  exec: ["model", "util", "errors", "python", "version"],
  cache: ["model", "util", "errors"],
  reporters: ["model", "util", "errors"],
  snapshot: ["model", "util", "errors"],
  engine: ["model", "util", "errors", "exec", "cache", "scheduler", "graph", "python", "snapshot"],
  factory: [
    "model",
    "util",
    "errors",
    "config",
    "plan",
    "engine",
    "exec",
    "cache",
    "graph",
    "sample",
    "reporters",
  ],
  serve: ["model", "util", "errors", "factory", "version"],
  server: [
    "model",
    "util",
    "errors",
    "config",
    "plan",
    "engine",
    "exec",
    "cache",
    "graph",
    "factory",
    "reporters",
  ],
  cli: ["*"],
  index: ["*"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [full] : [];
  });
}

function layerOf(file: string): string {
  const rel = path.relative(src, file).split(path.sep);
  return rel.length === 1 ? rel[0]!.replace(/\.ts$/, "") : rel[0]!;
}

describe("import layering (STYLE.md)", () => {
  const files = sourceFiles(src);

  it("knows every folder of src/", () => {
    const unknown = [...new Set(files.map(layerOf))].filter((l) => !(l in ALLOWED));
    expect(unknown, "add the new folder to ALLOWED with the layers it may import").toEqual([]);
  });

  it("has no import against the arrows", () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      const allowed = ALLOWED[from] ?? [];
      if (allowed.includes("*")) continue;
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/from\s+"(\.[^"]+)"/g)) {
        const target = layerOf(path.resolve(path.dirname(file), match[1]!.replace(/\.js$/, ".ts")));
        if (target !== from && !allowed.includes(target))
          violations.push(`${path.relative(repoRoot, file)} imports ${match[1]} (${from} → ${target})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("lets nothing import the CLI", () => {
    const importers = files.filter(
      (f) => layerOf(f) !== "cli" && /from\s+"[./]+\/cli\//.test(readFileSync(f, "utf8")),
    );
    expect(importers).toEqual([]);
  });
});
