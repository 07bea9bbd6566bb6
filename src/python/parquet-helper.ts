/**
 * Parquet through the scripts' own interpreter: `python/dagtest_data/parquet.py` writes and samples
 * Parquet files with pyarrow. An interpreter whose scripts read Parquet has pyarrow (pandas needs
 * it for `read_parquet`), and files written by the same library the scripts read with cannot
 * disagree with them on types or nulls.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runnerDir } from "./describe.js";

export type ParquetOutcome =
  | { readonly ok: true; readonly stdout: string }
  | { readonly ok: false; readonly missingPyarrow: boolean; readonly message: string };

export function parquetRequest(python: string, request: Readonly<Record<string, unknown>>): ParquetOutcome {
  const dir = mkdtempSync(path.join(os.tmpdir(), "dagtest-parquet-"));
  try {
    const file = path.join(dir, "request.json");
    writeFileSync(file, JSON.stringify(request));
    const helper = path.join(runnerDir(), "dagtest_data", "parquet.py");
    const done = spawnSync(python, [helper, file], { encoding: "utf8", maxBuffer: 1 << 30 });
    if (done.error) return { ok: false, missingPyarrow: false, message: done.error.message };
    if (done.status === 0) return { ok: true, stdout: done.stdout };
    return {
      ok: false,
      missingPyarrow: done.status === 3,
      message: done.stderr.trim().split("\n").slice(-3).join(" "),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
