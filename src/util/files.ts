/** Walking and hashing file trees: used by the data-flow checks and by the cache. */
import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import path from "node:path";

/** Every regular file under `root` (or `root` itself when it is a file), sorted. */
export function listFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  const stat = statSync(root);
  if (stat.isFile()) return [root];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(full);
    }
  };
  walk(root);
  return out;
}

const buffer = Buffer.allocUnsafe(1 << 20);

/** sha256 of one file's bytes, streamed in 1 MiB reads. */
export function hashFileContent(file: string): string {
  const hash = createHash("sha256");
  const fd = openSync(file, "r");
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

/** A content hash of a file or folder: relative paths and bytes of every file. */
export function hashTree(root: string): string {
  const hash = createHash("sha256");
  for (const file of listFiles(root)) {
    hash.update(path.relative(root, file));
    hash.update("\0");
    hash.update(hashFileContent(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}
