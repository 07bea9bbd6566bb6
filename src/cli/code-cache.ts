/**
 * The program's code, compiled once and then read back from V8's code cache: most of a short
 * command's start-up is Node parsing and compiling the CLI's JavaScript, and Node 20 has no
 * compile cache of its own (`module.enableCompileCache` came in Node 22).
 *
 * `scripts/build-cli.mjs` builds the program (program.ts) into one CommonJS file,
 * `dist/cli/program.cjs`, headed by a build id that it also writes into main.js. It is compiled
 * with `vm.Script` and the cached data of an earlier command, kept per user in
 * `~/.cache/dagtest/code-cache/` (`$XDG_CACHE_HOME`, or `DAGTEST_CODE_CACHE_DIR`), one file per
 * build, command, Node version and architecture. V8 rejects data that does not fit (another V8,
 * other flags): the code is then compiled from source, and the cache written again when the
 * command exits. `DAGTEST_CODE_CACHE=0` turns it off. Without the bundle (the modules as tsc
 * builds them, or the wheel's single file), the program is imported as a module.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

export type Program = Pick<typeof import("./program.js"), "runProgram">;

/** Set by scripts/build-cli.mjs to the build's id; undeclared (`undefined`) in tsc's output. */
declare const __DAGTEST_BUNDLE_ID__: string | undefined;

/** Cache files not read for this long are removed when a new one is written. */
const UNUSED_MS = 30 * 24 * 3600_000;

export async function loadProgram(command: string): Promise<Program> {
  const id = typeof __DAGTEST_BUNDLE_ID__ === "string" ? __DAGTEST_BUNDLE_ID__ : null;
  const file = id ? fileURLToPath(new URL("./program.cjs", import.meta.url)) : null;
  const source = file && id ? bundleSource(file, id) : null;
  if (!file || !source || !id) return import("./program.js");
  const dir = process.env.DAGTEST_CODE_CACHE === "0" ? null : cacheDir();
  const name = `${id}-${command.replace(/[^\w-]/g, "_")}-${process.version}-${process.arch}-${source.length}.bin`;
  return compile(file, source, dir ? path.join(dir, name) : null);
}

/** The bundle's text when it is the one this main.js was built with, else null. */
function bundleSource(file: string, id: string): string | null {
  try {
    // The bundle is ASCII (esbuild escapes the rest): latin1 is the cheapest exact decoding.
    const source = readFileSync(file, "latin1");
    return source.startsWith(`/*dagtest-bundle:${id}*/`) ? source : null;
  } catch {
    return null;
  }
}

function cacheDir(): string {
  const explicit = process.env.DAGTEST_CODE_CACHE_DIR;
  if (explicit) return explicit;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "dagtest", "code-cache");
}

/** Run the bundle as Node runs a CommonJS module, from cached code when there is some. */
function compile(file: string, source: string, cacheFile: string | null): Program {
  let cachedData: Buffer | undefined;
  try {
    if (cacheFile) cachedData = readFileSync(cacheFile);
  } catch {
    // none yet: compiled from source, and cached when the command exits
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  // Written at exit, so the cache holds every function the command compiled on its way.
  if (cacheFile && (!cachedData || script.cachedDataRejected))
    process.once("exit", () => save(cacheFile, script));
  const module = { exports: {} as Program };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper(module.exports, createRequire(file), module, file, path.dirname(file));
  return module.exports;
}

/** Write the cache atomically (commands may exit at once); a failure only costs the next start. */
function save(cacheFile: string, script: vm.Script): void {
  const dir = path.dirname(cacheFile);
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    renameSync(tmp, cacheFile);
    forgetUnused(dir);
  } catch {
    rmSync(tmp, { force: true });
  }
}

/** Old builds' and old Nodes' caches: removed once nothing read them for a month. */
function forgetUnused(dir: string): void {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    try {
      if (now - statSync(file).atimeMs > UNUSED_MS) rmSync(file, { force: true });
    } catch {
      // removed meanwhile by another command
    }
  }
}
