/**
 * Paths every test needs (repo root, the test interpreter, fixtures, the shared cursus checkout)
 * and throwaway folders that are removed after the test file.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const fixturesDir = path.join(repoRoot, "tests/fixtures/pipelines");

/** A fixture pipeline folder by shape name (`linear`, `cursus-mini`, ...). */
export function fixture(shape: string): string {
  return path.join(fixturesDir, shape);
}

/** The real cursus checkout next to this repository; absent on machines that do not have it. */
export const cursusRoot = path.resolve(repoRoot, "../shared/cursus");

/** The interpreter tests plan with; fails loudly (not silently) when the venv is missing. */
export function testPython(): string {
  const python = path.join(repoRoot, ".venv/bin/python");
  if (!existsSync(python)) {
    throw new Error(`no Python virtualenv at ${python}: run \`bash scripts/setup.sh\` in ${repoRoot} first`);
  }
  return python;
}

const made: string[] = [];

/** A fresh temp folder, `dagtest-` prefixed; call `removeTempDirs` in `afterAll`. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "dagtest-"));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Write `files` (relative path → text) under `dir`, creating folders; returns `dir`. */
export function writeTree(dir: string, files: Readonly<Record<string, string>>): string {
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return dir;
}

/** A script that follows the testability convention and touches only the given keys. */
export function conformingScript(inputs: readonly string[] = [], outputs: readonly string[] = []): string {
  const reads = inputs.map((k) => `    source = input_paths["${k}"]\n`).join("");
  const writes = outputs.map((k) => `    target = output_paths["${k}"]\n`).join("");
  return `def main(input_paths, output_paths, environ_vars, job_args):\n${reads}${writes}    return None\n`;
}
