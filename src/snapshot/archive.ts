/**
 * The members of a tar archive (optionally gzipped), each with its size and content hash: a
 * packaging step's `model.tar.gz` differs byte for byte between two identical runs (tar and gzip
 * both record times), so its snapshot is what is inside, not the archive's own hash.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

const BLOCK = 512;
/** Archives beyond this are hashed whole instead: a snapshot must stay cheap on a laptop. */
export const MAX_ARCHIVE_BYTES = 256 * 1024 * 1024;

export type ArchiveMembers = Record<string, { bytes: number; sha256: string }>;

export function isArchiveName(file: string): boolean {
  return /\.(tar|tar\.gz|tgz)$/i.test(file);
}

/** Regular-file members by path, or null when the file is not a readable tar archive. */
export function readArchive(file: string): ArchiveMembers | null {
  try {
    let data = readFileSync(file);
    if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data, { maxOutputLength: MAX_ARCHIVE_BYTES });
    return tarMembers(data);
  } catch {
    return null;
  }
}

function tarMembers(data: Buffer): ArchiveMembers | null {
  const members: ArchiveMembers = {};
  let longName: string | null = null;
  for (let at = 0; at + BLOCK <= data.length; ) {
    const header = data.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break;
    if (!header.toString("latin1", 257, 262).startsWith("ustar") && !validChecksum(header)) return null;
    const size = Number.parseInt(text(header, 124, 12) || "0", 8);
    const type = String.fromCharCode(header[156] || 48);
    const body = data.subarray(at + BLOCK, at + BLOCK + size);
    const prefix = text(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    longName = null;
    if (type === "L") longName = body.toString("utf8").replace(/\0.*$/s, "");
    else if (type === "0" || type === "7") {
      members[name.replace(/^\.\//, "")] = {
        bytes: size,
        sha256: createHash("sha256").update(body).digest("hex"),
      };
    }
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return members;
}

function text(header: Buffer, start: number, length: number): string {
  return header
    .toString("utf8", start, start + length)
    .replace(/\0.*$/s, "")
    .trim();
}

function validChecksum(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
  return sum === Number.parseInt(text(header, 148, 8), 8);
}
