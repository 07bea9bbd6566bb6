/**
 * The record of one stored result (`entry.json`), and the check that a file read back from disk
 * is one: an entry damaged by a disk, an editor or a half-finished copy is discarded, not
 * trusted, and not mistaken for "no stored result" forever.
 */
import path from "node:path";
import type { FingerprintData } from "./fingerprint.js";

export interface CachedFile {
  readonly port: string;
  readonly rel: string;
  readonly size: number;
  readonly sha256: string;
}

export interface CacheEntry {
  readonly fingerprint: string;
  readonly node: string;
  readonly createdAt: string;
  readonly data: FingerprintData;
  readonly ports: readonly string[];
  readonly files: readonly CachedFile[];
  readonly durationMs: number;
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
    files.every((file) => isCachedFile(file, ports))
  );
}

function isCachedFile(value: unknown, ports: readonly unknown[]): value is CachedFile {
  if (!isRecord(value)) return false;
  const { port, rel, size, sha256 } = value;
  return (
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
