/** Did-you-mean suggestions for near-miss names (Kedro/Python `get_close_matches` in spirit). */

/** Levenshtein distance, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost));
    }
    previous = current;
  }
  return previous[y.length]!;
}

/** The closest candidates to `name` (at most `limit`), or none when nothing is close enough. */
export function closestNames(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const budget = Math.max(2, Math.floor(name.length / 3));
  const scored: { candidate: string; distance: number }[] = [];
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance <= budget) scored.push({ candidate, distance });
  }
  scored.sort((p, q) => p.distance - q.distance || p.candidate.localeCompare(q.candidate));
  return scored.slice(0, limit).map((s) => s.candidate);
}

/** ` Did you mean "X"?` or an empty string. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const close = closestNames(name, candidates);
  if (close.length === 0) return "";
  return ` Did you mean ${close.map((c) => `"${c}"`).join(" or ")}?`;
}

/** Lowercase, alphanumerics only: `XGBoost_Training` and `xgboosttraining` are the same key (cursus canonical_key). */
export function canonicalKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}
