/**
 * The cache conformance suite: every store of node outputs (the local `.dagtest/cache` now, a
 * shared or remote one later) must pass it. A harness adapts the implementation: the cache itself,
 * plus the few ways a test reaches behind it to do what a disk, a user or a kill would do.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CACHE_VERSION, type FingerprintData } from "../../src/cache/fingerprint.js";
import type { LocalCache, NodeCache } from "../../src/cache/store.js";
import { listFiles } from "../../src/util/files.js";
import { removeTempDirs, repoRoot, tempDir, writeTree } from "../helpers/paths.js";

/** What the engine uses of a cache (`NodeCache`), and what the CLI's `dagtest cache` uses. */
export type CacheUnderTest = NodeCache & Pick<LocalCache, "restore" | "discard" | "clean">;

export interface CacheHarness {
  readonly cache: CacheUnderTest;
  /** Where the stored copy of one output file lives, to damage it as a disk or a user could. */
  storedFile(fingerprint: string, port: string, rel: string): string;
  /** The stored record (entry.json) of an entry, to damage it as a disk or a user could. */
  entryRecord(fingerprint: string): string;
  /** Leave exactly what a `put` killed before it finished leaves behind, `ageMs` old. */
  abandonPut(fingerprint: string, ageMs: number): void;
  /** Debris of unfinished puts still on disk. */
  leftovers(): string[];
  /**
   * argv of a separate process on the same state dir that prints `ready`, reads one JSON line
   * `{fingerprints, node, data, outputs}` from stdin, puts the outputs under each fingerprint in
   * turn, prints `done` and exits 0.
   */
  putProcess(stateDir: string): readonly string[];
}

/** Plausible fingerprint data; `salt` makes distinct fingerprints. */
export function sampleData(salt: string): FingerprintData {
  return {
    cacheVersion: CACHE_VERSION,
    python: { executable: "/usr/bin/python3", version: "3.11.7" },
    script: { path: `/project/${salt}.py`, sha256: sha(salt) },
    localModules: [],
    interface: null,
    outputs: ["model", "out"],
    env: [["LABEL_FIELD", "is_fraud"]],
    ambientEnv: [],
    jobArgs: [],
    inputs: [],
    guards: { blockPipInstall: true, stubModules: [] },
    calling: { bindings: [], environConversions: [] },
  };
}

export function sha(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Two output ports with nested folders, text and binary files; returns port → folder. */
function makeOutputs(root: string, size = 64): Record<string, string> {
  writeTree(root, {
    "out/part-0.csv": "a,b\n1,2\n",
    "out/nested/deeper/part-1.csv": `a,b\n${"3,4\n".repeat(size)}`,
    "model/params.json": '{"depth": 2}',
  });
  writeFileSync(path.join(root, "model/model.bin"), Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
  return { out: path.join(root, "out"), model: path.join(root, "model") };
}

/** rel path → bytes (hex) of every file under each port. */
function snapshot(outputs: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [port, dir] of Object.entries(outputs)) {
    for (const file of listFiles(dir)) out[`${port}/${path.relative(dir, file)}`] = readFileSync(file, "hex");
  }
  return out;
}

function targets(root: string): Record<string, string> {
  return { out: path.join(root, "out"), model: path.join(root, "model") };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with a line once `child` printed it on stdout. */
function printed(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = "";
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => {
      text += chunk;
      if (text.split("\n").includes(line)) resolve();
    });
    child.on("exit", (code) => reject(new Error(`child exited ${code} before printing ${line}: ${text}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on("exit", (code) => resolve(code)));
}

/** Start one put process per request, release them together, and return their exit codes. */
async function putAtOnce(argv: readonly string[], requests: readonly unknown[]): Promise<(number | null)[]> {
  const children = requests.map(() =>
    spawn(argv[0]!, argv.slice(1), { cwd: repoRoot, stdio: ["pipe", "pipe", "inherit"] }),
  );
  await Promise.all(children.map((c) => printed(c, "ready")));
  const done = children.map((c) => exited(c));
  children.forEach((child, i) => {
    child.stdin?.end(`${JSON.stringify(requests[i])}\n`);
  });
  return Promise.all(done);
}

export function cacheConformance(name: string, make: (stateDir: string) => CacheHarness): void {
  describe(`cache conformance: ${name}`, () => {
    afterAll(removeTempDirs);

    it("stores and restores nested outputs byte for byte; an unknown fingerprint is a miss", () => {
      const h = make(tempDir());
      const source = makeOutputs(tempDir());
      const fp = sha("round-trip");
      expect(h.cache.get(fp)).toBeNull();
      h.cache.put(fp, "train", sampleData("round-trip"), source, 1234);
      const entry = h.cache.get(fp);
      expect(entry).toMatchObject({ fingerprint: fp, node: "train", durationMs: 1234 });
      expect([...(entry?.ports ?? [])].sort()).toEqual(["model", "out"]);
      expect(entry?.files).toHaveLength(4);
      expect(h.cache.lastData("train")).toEqual(sampleData("round-trip"));
      // A target that already holds files (an earlier attempt) ends up with exactly the entry's.
      const into = targets(tempDir());
      writeTree(into.out!, { "stale.csv": "old\n" });
      expect(h.cache.restore(entry!, into)).toEqual({ ok: true });
      expect(snapshot(into)).toEqual(snapshot(source));
    });

    it("discards an entry with a flipped byte, and one with a deleted file, and says which file", () => {
      const h = make(tempDir());
      const source = makeOutputs(tempDir());
      for (const damage of ["flip", "delete"] as const) {
        const fp = sha(`damage-${damage}`);
        h.cache.put(fp, "train", sampleData(damage), source, 1);
        const stored = h.storedFile(fp, "out", "nested/deeper/part-1.csv");
        if (damage === "flip") {
          const bytes = readFileSync(stored);
          bytes[5] = bytes[5]! ^ 0xff;
          writeFileSync(stored, bytes);
        } else {
          rmSync(stored);
        }
        const restored = h.cache.restore(h.cache.get(fp)!, targets(tempDir()));
        expect(restored.ok).toBe(false);
        expect(restored.ok ? "" : restored.reason).toContain("part-1.csv");
        expect(h.cache.get(fp)).toBeNull();
      }
    });

    it("discards an entry whose entry.json is garbage, and the next put stores a good one", () => {
      const h = make(tempDir());
      const source = makeOutputs(tempDir());
      const garbage = ["", "{not json", "null", '{"fingerprint": "other"}', '{"ports": "out"}'];
      for (const [i, text] of garbage.entries()) {
        const fp = sha(`garbage-${i}`);
        h.cache.put(fp, "train", sampleData(`g${i}`), source, 1);
        writeFileSync(h.entryRecord(fp), text);
        expect(h.cache.get(fp), JSON.stringify(text)).toBeNull();
        h.cache.put(fp, "train", sampleData(`g${i}`), source, 1);
        const healed = h.cache.get(fp);
        expect(healed?.fingerprint, JSON.stringify(text)).toBe(fp);
        expect(h.cache.restore(healed!, targets(tempDir()))).toEqual({ ok: true });
      }
    });

    it("never restores outside the output folders, whatever a damaged entry names", () => {
      const h = make(tempDir());
      const fp = sha("escape");
      h.cache.put(fp, "train", sampleData("escape"), makeOutputs(tempDir()), 1);
      const entry = JSON.parse(readFileSync(h.entryRecord(fp), "utf8"));
      entry.files[0].rel = "../../outside.csv";
      writeFileSync(h.entryRecord(fp), JSON.stringify(entry));
      expect(h.cache.get(fp)).toBeNull();
    });

    it("restores copies: writing to a restored file or to the producer's folder leaves the entry intact", () => {
      const h = make(tempDir());
      const source = makeOutputs(tempDir());
      const original = snapshot(source);
      const fp = sha("copies");
      h.cache.put(fp, "train", sampleData("copies"), source, 1);
      const first = targets(tempDir());
      expect(h.cache.restore(h.cache.get(fp)!, first).ok).toBe(true);
      writeFileSync(path.join(first.out!, "part-0.csv"), "overwritten by a script\n");
      writeFileSync(path.join(source.model!, "params.json"), '{"depth": 99}');
      const second = targets(tempDir());
      expect(h.cache.restore(h.cache.get(fp)!, second).ok).toBe(true);
      expect(snapshot(second)).toEqual(original);
    });

    it("verifies without copying, lends the stored folders to read, and copies them out later (the engine's lazy restore)", () => {
      const h = make(tempDir());
      const source = makeOutputs(tempDir());
      const fp = sha("lazy");
      h.cache.put(fp, "train", sampleData("lazy"), source, 1);
      const entry = h.cache.get(fp)!;
      expect(h.cache.verify(entry, ["out", "model"])).toEqual({ ok: true });
      expect(h.cache.verify(entry, ["out", "metrics"])).toMatchObject({ ok: false });
      // Read in place: what a downstream edge profile reads when nothing has been copied yet.
      expect(snapshot({ out: h.cache.storedPort(entry, "out") })).toEqual(
        Object.fromEntries(Object.entries(snapshot(source)).filter(([k]) => k.startsWith("out/"))),
      );
      const into = targets(tempDir());
      expect(h.cache.copyOut(entry, into)).toEqual({ ok: true });
      expect(snapshot(into)).toEqual(snapshot(source));
      h.cache.clean();
      expect(h.cache.copyOut(entry, targets(tempDir()))).toMatchObject({ ok: false });
    });

    it("remembers the fingerprint data a node last ran with, per node", () => {
      const h = make(tempDir());
      expect(h.cache.lastData("train")).toBeNull();
      h.cache.remember("train", sampleData("v1"));
      h.cache.remember("report", sampleData("r"));
      h.cache.remember("train", sampleData("v2"));
      expect(h.cache.lastData("train")).toEqual(sampleData("v2"));
      expect(h.cache.lastData("report")).toEqual(sampleData("r"));
    });

    it("refuses to restore an entry that lacks an output the node now declares", () => {
      const h = make(tempDir());
      const fp = sha("ports");
      h.cache.put(fp, "train", sampleData("ports"), makeOutputs(tempDir()), 1);
      const wanted = { ...targets(tempDir()), metrics: path.join(tempDir(), "metrics") };
      const restored = h.cache.restore(h.cache.get(fp)!, wanted);
      expect(restored.ok).toBe(false);
      expect(restored.ok ? "" : restored.reason).toContain("metrics");
    });

    it("two processes putting the same fingerprint at once leave one intact entry", async () => {
      const stateDir = tempDir();
      const h = make(stateDir);
      // Many files, so that both copies are in flight at the same time.
      const source = makeOutputs(tempDir(), 20_000);
      writeTree(
        source.out!,
        Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`many/part-${i}.csv`, `x\n${i}\n`])),
      );
      const fp = sha("concurrent");
      const argv = h.putProcess(stateDir);
      const request = { fingerprints: [fp], node: "train", data: sampleData("c"), outputs: source };
      expect(await putAtOnce(argv, [request, request])).toEqual([0, 0]);
      const entry = h.cache.get(fp);
      expect(entry?.files).toHaveLength(154);
      const into = targets(tempDir());
      expect(h.cache.restore(entry!, into)).toEqual({ ok: true });
      expect(snapshot(into)).toEqual(snapshot(source));
      expect(h.leftovers()).toEqual([]);
    });

    it("two processes storing many results of the same node at once all succeed", async () => {
      const stateDir = tempDir();
      const h = make(stateDir);
      const source = makeOutputs(tempDir(), 1);
      // Each put also records the node's latest data: the writers race on that record too.
      const requests = ["p", "q"].map((who) => ({
        fingerprints: Array.from({ length: 200 }, (_, i) => sha(`${who}-${i}`)),
        node: "train",
        data: sampleData(who),
        outputs: source,
      }));
      expect(await putAtOnce(h.putProcess(stateDir), requests)).toEqual([0, 0]);
      for (const r of requests) for (const fp of r.fingerprints) expect(h.cache.get(fp)).not.toBeNull();
      expect([sampleData("p"), sampleData("q")]).toContainEqual(h.cache.lastData("train"));
      expect(h.leftovers()).toEqual([]);
    });

    it("a put killed midway never becomes visible, and its debris is swept once it is stale", () => {
      const h = make(tempDir());
      const fp = sha("killed");
      h.abandonPut(fp, 2 * 3600_000);
      h.abandonPut(sha("still-writing"), 0);
      expect(h.cache.get(fp)).toBeNull();
      expect(h.leftovers()).toHaveLength(2);
      h.cache.evict(Number.MAX_SAFE_INTEGER);
      // The fresh one may belong to a run writing right now: only the stale one goes.
      expect(h.leftovers()).toHaveLength(1);
      const source = makeOutputs(tempDir());
      h.cache.put(fp, "train", sampleData("killed"), source, 1);
      const into = targets(tempDir());
      expect(h.cache.restore(h.cache.get(fp)!, into)).toEqual({ ok: true });
      expect(snapshot(into)).toEqual(snapshot(source));
    });

    it("evicts least recently used entries first when over the size cap; a restore counts as a use", async () => {
      const h = make(tempDir());
      const names = ["a", "b", "c"];
      const sizes: number[] = [];
      for (const n of names) {
        h.cache.put(sha(n), n, sampleData(n), makeOutputs(tempDir()), 1);
        sizes.push(h.cache.get(sha(n))!.files.reduce((sum, f) => sum + f.size, 0));
        await pause(30); // distinct use times: the order is what is under test
      }
      expect(h.cache.restore(h.cache.get(sha("a"))!, targets(tempDir())).ok).toBe(true);
      const cap = sizes[0]! + sizes[2]! + 1;
      expect(h.cache.evict(cap)).toMatchObject({ removed: 1 });
      expect(h.cache.get(sha("b"))).toBeNull();
      expect(h.cache.get(sha("a"))).not.toBeNull();
      expect(h.cache.get(sha("c"))).not.toBeNull();
      expect(h.cache.evict(0)).toMatchObject({ removed: 2, bytes: 0 });
      expect(h.cache.get(sha("a"))).toBeNull();
    });

    it("clean removes every entry and what it remembers, and says how many there were", () => {
      const h = make(tempDir());
      for (const n of ["x", "y"]) h.cache.put(sha(n), n, sampleData(n), makeOutputs(tempDir()), 1);
      expect(h.cache.clean()).toBe(2);
      expect(h.cache.get(sha("x"))).toBeNull();
      expect(h.cache.lastData("x")).toBeNull();
      expect(h.cache.clean()).toBe(0);
    });
  });
}
