import { mkdirSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { LocalCache } from "../../src/cache/store.js";
import { repoRoot, tempDir, writeTree } from "../helpers/paths.js";
import { cacheConformance } from "./cache.suite.js";

/** The child of the two-process test: a real, separate `LocalCache` on the same state dir (.mts: an ES module wherever it is written). */
function childScript(): string {
  const file = path.join(tempDir(), "put-child.mts");
  const store = pathToFileURL(path.join(repoRoot, "src/cache/store.ts")).href;
  writeFileSync(
    file,
    `import { createInterface } from "node:readline";
import { LocalCache } from ${JSON.stringify(store)};
const cache = new LocalCache(process.argv[2]!);
console.log("ready");
for await (const line of createInterface({ input: process.stdin })) {
  const r = JSON.parse(line);
  for (const fp of r.fingerprints) cache.put(fp, r.node, r.data, r.outputs, 1);
  console.log("done");
  break;
}
`,
  );
  return file;
}

cacheConformance("local .dagtest/cache", (stateDir) => {
  const cache = new LocalCache(stateDir);
  const tmp = path.join(cache.dir, "tmp");
  return {
    cache,
    storedFile: (fp, port, rel) => path.join(cache.dir, "entries", fp.slice(0, 2), fp, "files", port, rel),
    entryRecord: (fp) => path.join(cache.dir, "entries", fp.slice(0, 2), fp, "entry.json"),
    abandonPut: (fp, ageMs) => {
      // What put() has written just before its rename: files and entry.json, in its temp folder.
      const dir = path.join(tmp, `${fp.slice(0, 12)}-dead${ageMs}`);
      writeTree(dir, { "files/out/part-0.csv": "a,b\n", "entry.json": "{}" });
      mkdirSync(dir, { recursive: true });
      const when = new Date(Date.now() - ageMs);
      utimesSync(dir, when, when);
    },
    leftovers: () => {
      try {
        return readdirSync(tmp);
      } catch {
        return [];
      }
    },
    putProcess: (dir) => [process.execPath, "--import", "tsx", childScript(), dir],
  };
});
