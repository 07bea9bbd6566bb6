import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hashFileContent } from "../util/files.js";
import { copyIn, hashAndStamp, probeNow, stateOf, WAIT_FOR_TICK_BYTES } from "./stamp.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "dagtest-stamp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("stamps of stored files", () => {
  it("hashes the file and stamps it only when its ctime is earlier than the probe", () => {
    const file = path.join(dir, "a.csv");
    writeFileSync(file, "a,b\n1,2\n");
    const ctime = stateOf(file)?.ctimeNs ?? 0n;
    const settled = hashAndStamp(file, () => ctime + 1n);
    expect(settled).toEqual({ size: 8, sha256: hashFileContent(file), stamp: stateOf(file)?.stamp });
    // Same tick as the last change: a write in that tick would keep the stamp, so none is given.
    expect(hashAndStamp(file, () => ctime)?.stamp).toBeNull();
    expect(hashAndStamp(path.join(dir, "missing"), () => ctime + 1n)).toBeNull();
  });

  it("a stamp changes with any write, even one of the same size", () => {
    const file = path.join(dir, "b.csv");
    writeFileSync(file, "x\n");
    const before = stateOf(file)?.stamp;
    writeFileSync(file, "y\n");
    expect(stateOf(file)?.stamp).not.toBe(before);
  });

  it("a large copy is stamped when stored: the clock tick of its last write is waited out", () => {
    const out = path.join(dir, "out");
    mkdirSync(out);
    writeFileSync(path.join(out, "big.bin"), Buffer.alloc(WAIT_FOR_TICK_BYTES + 1, 7));
    for (let round = 0; round < 3; round++) {
      const into = path.join(dir, `stored-${round}`);
      const [file] = copyIn({ data: out }, into, path.join(dir, "probes"));
      expect(file).toMatchObject({ port: "data", rel: "big.bin", size: WAIT_FOR_TICK_BYTES + 1 });
      expect(file?.stamp).toBe(stateOf(path.join(into, "data", "big.bin"))?.stamp);
    }
  });

  it("the probe is the file system's now: not earlier than a file written before it", () => {
    const file = path.join(dir, "c.csv");
    writeFileSync(file, "z\n");
    expect(probeNow(dir) >= (stateOf(file)?.ctimeNs ?? 0n)).toBe(true);
    expect(stateOf(dir)).toBeNull(); // a folder has no stamp
  });
});
