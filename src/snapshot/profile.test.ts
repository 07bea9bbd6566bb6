import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir } from "../../tests/helpers/paths.js";
import { snapshotOutputs } from "./profile.js";

afterAll(removeTempDirs);

const noParquet = async () => new Map();

describe("snapshotOutputs", () => {
  it("summarises tables, keeps JSON by value (volatile values masked), hashes the rest", async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, "out/sub"), { recursive: true });
    writeFileSync(path.join(dir, "out/sub/t.tsv"), "a\tb\n1\tx\n3\ty\n");
    writeFileSync(path.join(dir, "out/m.json"), JSON.stringify({ auc: 0.5, at: "2026-01-01T00:00:00Z" }));
    writeFileSync(path.join(dir, "out/blob.bin"), "abc");
    const snap = await snapshotOutputs({ port: path.join(dir, "out") }, noParquet);
    expect(Object.keys(snap.port!)).toEqual(["blob.bin", "m.json", "sub/t.tsv"]);
    expect(snap.port!["sub/t.tsv"]).toMatchObject({ kind: "table", format: "tsv", rows: 2 });
    expect(snap.port!["m.json"]).toEqual({ kind: "json", value: { at: "<volatile: timestamp>", auc: 0.5 } });
    expect(snap.port!["blob.bin"]).toEqual({
      kind: "file",
      bytes: 3,
      sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    });
  });

  it("lists a tar.gz by member content, so two archives of the same files made at different times are equal", async () => {
    const snaps = [];
    for (const mtime of [1_000_000, 2_000_000]) {
      const dir = tempDir();
      mkdirSync(path.join(dir, "out"));
      execFileSync("python3", [
        "-c",
        `import io, tarfile, sys
with tarfile.open(sys.argv[1], "w:gz") as tar:
    for name, body in (("model/a.txt", b"hello"), ("b.json", b"{}")):
        info = tarfile.TarInfo(name); info.size = len(body); info.mtime = int(sys.argv[2])
        tar.addfile(info, io.BytesIO(body))`,
        path.join(dir, "out/model.tar.gz"),
        String(mtime),
      ]);
      snaps.push(await snapshotOutputs({ p: path.join(dir, "out") }, noParquet));
    }
    expect(snaps[0]).toEqual(snaps[1]);
    expect(snaps[0]!.p!["model.tar.gz"]).toMatchObject({
      kind: "archive",
      members: { "b.json": { bytes: 2 }, "model/a.txt": { bytes: 5 } },
    });
  });
});
