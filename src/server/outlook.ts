/**
 * "Why it will (not) run": per script node, whether the next run restores it from the cache,
 * runs it (no stored result has its fingerprint), or never caches it (and why).
 */
import { fingerprintPlan } from "../cache/fingerprint.js";
import { LocalCache } from "../cache/store.js";
import type { Plan } from "../model/plan.js";

export function cacheOutlook(plan: Plan, projectDir: string, cacheOn: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (!cacheOn) {
    for (const n of plan.nodes)
      if (n.kind === "script") out[n.name] = "will run: the cache is off for this project";
    return out;
  }
  const cache = new LocalCache(projectDir);
  for (const [node, fp] of fingerprintPlan(plan)) {
    if (!fp.cacheable) out[node] = `will run: never cached (${fp.reason})`;
    else if (cache.get(fp.hash)) out[node] = "will not run: its result is stored (restored from the cache)";
    else
      out[node] =
        "will run: no stored result for what it reads now (the script, its inputs, env or args changed, or it never ran)";
  }
  return out;
}
