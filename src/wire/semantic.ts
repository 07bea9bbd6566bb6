/**
 * A port of cursus's `SemanticMatcher` (`core/deps/semantic_matcher.py`): how alike two port
 * names are, in [0, 1]. cursus uses it to decide which upstream output feeds a dependency, so
 * dagtest must reproduce it number for number to wire DAGs the way cursus does.
 *
 * Both names are normalised; equal normalised names score 1. Otherwise the score is
 * 0.30 · difflib ratio + 0.25 · token Jaccard + 0.25 · synonym score + 0.20 · substring score.
 */
import { sequenceRatio } from "../util/sequence-ratio.js";

/** Concept groups: two different words are synonyms when some group lists both. */
const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ["model", "artifact", "trained", "output"],
  ["data", "dataset", "input", "processed", "training"],
  ["config", "configuration", "params", "parameters", "hyperparameters", "settings"],
  ["payload", "sample", "test", "inference", "example"],
  ["output", "result", "artifact", "generated", "produced"],
  ["training", "train", "fit", "learn"],
  ["preprocessing", "preprocess", "processed", "clean", "transform"],
];

/** Whole-word expansions applied during normalisation. */
const ABBREVIATIONS: ReadonlyMap<string, string> = new Map([
  ["config", "configuration"],
  ["params", "parameters"],
  ["hyperparams", "hyperparameters"],
  ["preprocess", "preprocessing"],
  ["eval", "evaluation"],
  ["reg", "registration"],
  ["pkg", "package"],
  ["packaged", "package"],
]);

const STOP_WORDS: ReadonlySet<string> = new Set([
  "the",
  "a",
  "an",
  "and",
  "or",
  "but",
  "in",
  "on",
  "at",
  "to",
  "for",
  "of",
  "with",
  "by",
]);

/** Word → bit set of the synonym groups containing it. */
const GROUP_MASKS: ReadonlyMap<string, number> = (() => {
  const masks = new Map<string, number>();
  SYNONYM_GROUPS.forEach((group, index) => {
    for (const word of group) masks.set(word, (masks.get(word) ?? 0) | (1 << index));
  });
  return masks;
})();

/** Characters Python's `str.split()` and `re` `\s` treat as whitespace (JS `\s` differs slightly). */
const PY_SPACE =
  "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const SEPARATORS = /[_\-.]/g;
const NOT_WORD_OR_SPACE = new RegExp(`[^a-z0-9${PY_SPACE}]`, "gu");
const SPACE_RUNS = new RegExp(`[${PY_SPACE}]+`, "u");

/** A name after normalisation, with what the four measures need precomputed. */
interface NameInfo {
  readonly normalized: string;
  /** Distinct words, in order of first appearance (Python works on `set(name.split())`). */
  readonly tokens: readonly string[];
  readonly tokenSet: ReadonlySet<string>;
  /** Synonym-group bit set of each token. */
  readonly masks: readonly number[];
  /** Tokens of 3+ characters: the only ones the word-level substring score looks at. */
  readonly longTokens: readonly string[];
}

/** Caches are bounded: cleared wholesale when they grow past this (names repeat a lot). */
const CACHE_LIMIT = 50_000;
const infoCache = new Map<string, NameInfo>();
const similarityCache = new Map<string, Map<string, number>>();
let similarityCount = 0;

function normalizeWords(name: string): string[] {
  const cleaned = name.toLowerCase().replace(SEPARATORS, " ").replace(NOT_WORD_OR_SPACE, "");
  return cleaned
    .split(SPACE_RUNS)
    .filter((word) => word.length > 0)
    .map((word) => ABBREVIATIONS.get(word) ?? word)
    .filter((word) => !STOP_WORDS.has(word));
}

function nameInfo(name: string): NameInfo {
  const cached = infoCache.get(name);
  if (cached !== undefined) return cached;
  const words = normalizeWords(name);
  const tokenSet = new Set(words);
  const tokens = [...tokenSet];
  const info: NameInfo = {
    normalized: words.join(" "),
    tokens,
    tokenSet,
    masks: tokens.map((token) => GROUP_MASKS.get(token) ?? 0),
    longTokens: tokens.filter((token) => token.length >= 3),
  };
  if (infoCache.size >= CACHE_LIMIT) infoCache.clear();
  infoCache.set(name, info);
  return info;
}

/**
 * cursus's name normalisation: lowercase; `_ - .` become spaces; other non-alphanumerics are
 * dropped; whole-word abbreviations expanded (`eval` → `evaluation`); stop words removed; words
 * joined by single spaces. `"model_eval-Data"` → `"model evaluation data"`.
 */
export function normalizeName(name: string): string {
  return nameInfo(name).normalized;
}

/** Jaccard index of the two token sets (0 if either is empty). */
function tokenOverlap(a: NameInfo, b: NameInfo): number {
  if (a.tokens.length === 0 || b.tokens.length === 0) return 0;
  let shared = 0;
  for (const token of a.tokens) if (b.tokenSet.has(token)) shared++;
  return shared / (a.tokens.length + b.tokens.length - shared);
}

/** Average over all token pairs: 1 for an identical pair, 0.8 for a synonym pair, else 0. */
function synonymScore(a: NameInfo, b: NameInfo): number {
  let sum = 0;
  a.tokens.forEach((x, i) => {
    b.tokens.forEach((y, j) => {
      if (x === y) sum += 1;
      else if ((a.masks[i]! & b.masks[j]!) !== 0) sum += 0.8;
    });
  });
  const pairs = a.tokens.length * b.tokens.length;
  return pairs > 0 ? sum / pairs : 0;
}

function lengthRatio(x: string, y: string): number {
  return Math.min(x.length, y.length) / Math.max(x.length, y.length);
}

/**
 * shorter/longer when one whole name contains the other; otherwise the best shorter/longer over
 * word pairs (both words at least 3 characters) where one word contains the other.
 */
function substringScore(a: NameInfo, b: NameInfo): number {
  if (a.normalized.includes(b.normalized) || b.normalized.includes(a.normalized)) {
    return lengthRatio(a.normalized, b.normalized);
  }
  let best = 0;
  for (const x of a.longTokens) {
    for (const y of b.longTokens) {
      if (x.includes(y) || y.includes(x)) best = Math.max(best, lengthRatio(x, y));
    }
  }
  return best;
}

function blendedSimilarity(a: NameInfo, b: NameInfo): number {
  // Same order of addition as cursus, so the floating-point result is the same.
  let total = 0;
  total += sequenceRatio(a.normalized, b.normalized) * 0.3;
  total += tokenOverlap(a, b) * 0.25;
  total += synonymScore(a, b) * 0.25;
  total += substringScore(a, b) * 0.2;
  return total;
}

function rememberSimilarity(a: string, b: string, score: number): number {
  if (similarityCount >= CACHE_LIMIT) {
    similarityCache.clear();
    similarityCount = 0;
  }
  let row = similarityCache.get(a);
  if (row === undefined) {
    row = new Map();
    similarityCache.set(a, row);
  }
  row.set(b, score);
  similarityCount++;
  return score;
}

/**
 * How alike two port names are, in [0, 1] (cursus `SemanticMatcher.calculate_similarity`).
 * 0 if either name is empty; 1 if they normalise to the same string.
 */
export function semanticSimilarity(a: string, b: string): number {
  if (a.length === 0 || b.length === 0) return 0;
  const cached = similarityCache.get(a)?.get(b);
  if (cached !== undefined) return cached;
  const infoA = nameInfo(a);
  const infoB = nameInfo(b);
  const score = infoA.normalized === infoB.normalized ? 1 : blendedSimilarity(infoA, infoB);
  return rememberSimilarity(a, b, score);
}

/** The best-scoring candidate for a name, and its score. */
export interface NameMatch {
  readonly candidate: string;
  readonly similarity: number;
}

/**
 * The candidate most similar to `name` (cursus `calculate_similarity_with_aliases`, with the
 * output's logical name first and its aliases after). Ties keep the earlier candidate.
 * Returns null when there are no candidates.
 */
export function bestNameMatch(name: string, candidates: readonly string[]): NameMatch | null {
  let best: NameMatch | null = null;
  for (const candidate of candidates) {
    const similarity = semanticSimilarity(name, candidate);
    if (best === null || similarity > best.similarity) best = { candidate, similarity };
  }
  return best;
}
