/** Building `Problem` records: expected failures found while planning are data. */
import type { ErrorCode, SourceLocation } from "../errors.js";
import type { Problem, Severity } from "../model/plan.js";

export function problem(
  severity: Severity,
  code: ErrorCode,
  message: string,
  extra: { node?: string | null; hint?: string; location?: SourceLocation | null } = {},
): Problem {
  return {
    severity,
    code,
    message,
    hint: extra.hint ?? "",
    node: extra.node ?? null,
    location: extra.location ?? null,
  };
}
