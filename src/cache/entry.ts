/**
 * The record of one stored result (`entry.json`), and the check that a file read back from disk
 * is one: an entry damaged by a disk, an editor or a half-finished copy is discarded, not
 * trusted, and not mistaken for "no stored result" forever.
 */
import path from "node:path";
import type { DataProfile } from "../model/run.js";
import type { FingerprintData } from "./fingerprint.js";

export interface CachedFile {
  readonly port: string;
  readonly rel: string;
  readonly size: number;
  readonly sha256: string;
  /**
   * The stored copy's size, mtime, ctime and inode when its hash was last checked and its
   * timestamps were settled (see stamp.ts): while they still match, the file is not hashed again.
   */
  readonly stamp?: string;
}

export interface CacheEntry {
  readonly fingerprint: string;
  readonly node: string;
  readonly createdAt: string;
  readonly data: FingerprintData;
  readonly ports: readonly string[];
  readonly files: readonly CachedFile[];
  readonly durationMs: number;
  /**
   * What each port held when stored (files, bytes, rows, columns): derived from the stored bytes
   * alone, so a restored node's edges are reported without reading its files again. A port the
   * run did not profile (no wire read it) has none.
   */
  readonly profiles?: Readonly<Record<string, DataProfile>>;
}

/** The entry in `text` when it is a well-formed entry for `fingerprint`, else null. */
export function parseEntry(text: string, fingerprint: string): CacheEntry | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return isEntry(value, fingerprint) ? value : null;
}

function isEntry(value: unknown, fingerprint: string): value is CacheEntry {
  if (!isRecord(value)) return false;
  const { ports, files } = value;
  return (
    value.fingerprint === fingerprint &&
    typeof value.node === "string" &&
    typeof value.createdAt === "string" &&
    typeof value.durationMs === "number" &&
    isRecord(value.data) &&
    Array.isArray(ports) &&
    ports.every(isName) &&
    Array.isArray(files) &&
    files.every((file) => isCachedFile(file, ports)) &&
    (value.profiles === undefined || isProfiles(value.profiles, ports))
  );
}

function isProfiles(value: unknown, ports: readonly unknown[]): boolean {
  if (!isRecord(value)) return false;
  return Object.entries(value).every(([port, p]) => {
    if (!ports.includes(port) || !isRecord(p)) return false;
    const { files, bytes, rows, columns, formats } = p;
    return (
      isCount(files) &&
      isCount(bytes) &&
      (rows === null || isCount(rows)) &&
      (columns === null || isStrings(columns)) &&
      isStrings(formats)
    );
  });
}

function isCount(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

function isStrings(value: unknown): boolean {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

function isCachedFile(value: unknown, ports: readonly unknown[]): value is CachedFile {
  if (!isRecord(value)) return false;
  const { port, rel, size, sha256, stamp } = value;
  return (
    (stamp === undefined || typeof stamp === "string") &&
    typeof port === "string" &&
    ports.includes(port) &&
    typeof rel === "string" &&
    isInside(rel) &&
    typeof size === "number" &&
    Number.isInteger(size) &&
    size >= 0 &&
    typeof sha256 === "string" &&
    /^[0-9a-f]{64}$/.test(sha256)
  );
}

/** A port name is one folder name: restoring must never write outside the output folders. */
function isName(value: unknown): value is string {
  return typeof value === "string" && value !== "" && isInside(value) && !value.includes("/");
}

function isInside(rel: string): boolean {
  if (rel === "" || path.isAbsolute(rel)) return false;
  return !rel.split(/[\\/]/).some((part) => part === ".." || part === "");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
