/**
 * The package version, read once from dagtest's package.json: one level up from src/version.ts,
 * dist/version.js and the wheel's bundle (lib/bin/), two from the CLI bundle (dist/cli/).
 */
import { readFileSync } from "node:fs";

function readVersion(): string {
  for (const candidate of ["../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), "utf8")) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === "dagtest" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // not this layout: try the next
    }
  }
  return "0.0.0";
}

export const DAGTEST_VERSION = readVersion();
