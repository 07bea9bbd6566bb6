import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** The part of package-lock.json (lockfileVersion 3) this test reads. */
interface LockPackage {
  optionalDependencies?: Record<string, string>;
}
interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockPackage>;
}

const root = join(import.meta.dirname, "..", "..");

// `npm ci` refuses a lock that lacks the optional platform packages of a dependency
// ("package.json and package-lock.json are not in sync"), which a lock written on one platform
// by some npm versions does; a fresh clone must install with `npm ci` unchanged.
describe("package-lock.json", () => {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as Lockfile;

  it("lists every optional dependency of every locked package", () => {
    const missing: string[] = [];
    for (const [path, pkg] of Object.entries(lock.packages)) {
      for (const name of Object.keys(pkg.optionalDependencies ?? {})) {
        const nested = `${path}/node_modules/${name}`;
        if (!(nested in lock.packages) && !(`node_modules/${name}` in lock.packages)) {
          missing.push(`${path || "<root>"} → ${name}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it("is installed with npm ci by the set-up, which never rewrites it", () => {
    const setup = readFileSync(join(root, "scripts", "setup.sh"), "utf8");
    expect(setup).toMatch(/^\s*npm ci\b/m);
    expect(setup).not.toMatch(/^\s*npm install\b/m);
  });
});
