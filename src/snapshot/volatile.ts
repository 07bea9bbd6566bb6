/**
 * Values that change from run to run without meaning anything: timestamps, run ids, UUIDs,
 * absolute paths. They are recorded as a `<volatile: kind>` marker and never compared. The rule
 * (also in the README):
 * - a string that is an ISO-8601 date or date-time, a UUID, a dagtest run id
 *   (`20261121-141502-3fa9`), or an absolute path (`/…`, `C:\…`, `file://…`, or one that
 *   contains `/.dagtest/`);
 * - a number whose key names a time (`time`, `timestamp`, `date`, `created`, `updated`,
 *   `elapsed`, `duration`, `start`, `end`, `*_at`, `*_time`, `*_date`, `*_ms`, `*_sec(s)`,
 *   `*_seconds`, `created_*`, `started_*`, ...);
 * - any value under a key naming a run (`run_id`, `runId`, `uuid`, `job_id`, `execution_id`).
 */

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RUN_ID = /^\d{8}-\d{6}-[0-9a-f]{4}$/;
const ABSOLUTE = /^(\/[^/\s]|[A-Za-z]:\\|file:\/\/)|\/\.dagtest\//;
const TIME_KEY =
  /^(time|timestamp|date|datetime|created|updated|modified|elapsed|duration|start|end|started|ended)$|_(at|time|timestamp|date|ms|sec|secs|seconds)$|^(created|updated|modified|started|ended)_/i;
const RUN_KEY = /^(run_?id|uuid|job_?id|execution_?id)$|_(run_?id|uuid)$/i;

/** Why a string is volatile, or null. */
export function volatileString(value: string): string | null {
  if (ISO_DATE.test(value)) return "timestamp";
  if (UUID.test(value)) return "uuid";
  if (RUN_ID.test(value)) return "run id";
  if (ABSOLUTE.test(value)) return "absolute path";
  return null;
}

/** Why a value under `key` is volatile, or null. */
export function volatileValue(key: string | null, value: unknown): string | null {
  if (key !== null && RUN_KEY.test(key) && value !== null && typeof value !== "object") return "run id";
  if (typeof value === "string") return volatileString(value);
  if (typeof value === "number" && key !== null && TIME_KEY.test(key)) return "time";
  return null;
}

/** The marker a snapshot records instead of a volatile value. */
export function volatileMarker(kind: string): string {
  return `<volatile: ${kind}>`;
}

export function isVolatileMarker(value: unknown): boolean {
  return typeof value === "string" && value.startsWith("<volatile: ") && value.endsWith(">");
}

/** A JSON value with every volatile leaf replaced by its marker. */
export function maskVolatile(value: unknown, key: string | null = null): unknown {
  if (Array.isArray(value)) return value.map((v) => maskVolatile(v, key));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort())
      out[k] = maskVolatile((value as Record<string, unknown>)[k], k);
    return out;
  }
  const kind = volatileValue(key, value);
  return kind ? volatileMarker(kind) : value;
}
