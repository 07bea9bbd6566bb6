/** `dagtest plan --explain-cache NODE`: the fingerprint data of a node and what the cache holds. */
import { fingerprintPlan } from "../../cache/fingerprint.js";
import { LocalCache } from "../../cache/store.js";
import type { Project } from "../../config/project.js";
import { DagtestError } from "../../errors.js";
import type { Plan } from "../../model/plan.js";
import { didYouMean } from "../../util/suggest.js";
import type { CommandResult } from "../result.js";

export function explainCache(project: Project, plan: Plan, node: string, json: boolean): CommandResult {
  const fingerprints = fingerprintPlan(plan);
  const fp = fingerprints.get(node);
  if (!fp) {
    const scripts = [...fingerprints.keys()];
    throw new DagtestError({
      code: "DAGTEST_USAGE",
      message: `"${node}" is not a script node of this plan.${didYouMean(node, scripts)}`,
      hint: `Script nodes: ${scripts.join(", ") || "(none)"}.`,
    });
  }
  const cache = new LocalCache(project.baseDir);
  const entry = fp.cacheable ? cache.get(fp.hash) : null;
  const report = fp.cacheable
    ? {
        node,
        cacheable: true,
        fingerprint: fp.hash,
        stored: entry !== null,
        storedAt: entry?.createdAt ?? null,
        data: fp.data,
      }
    : { node, cacheable: false, reason: fp.reason };
  if (json) return { stdout: `${JSON.stringify(report, null, 2)}\n`, exitCode: 0 };
  const lines = [`${node}: ${fp.cacheable ? `fingerprint ${fp.hash}` : `not cached: ${fp.reason}`}`];
  if (fp.cacheable) {
    lines.push(
      entry
        ? `  stored: yes, since ${entry.createdAt} (${entry.files.length} files)`
        : "  stored: no (the next run runs it)",
    );
    lines.push(
      ...JSON.stringify(fp.data, null, 2)
        .split("\n")
        .map((l) => `  ${l}`),
    );
  }
  return { stdout: `${lines.join("\n")}\n`, exitCode: 0 };
}
