/**
 * A faithful port of CPython's `difflib.SequenceMatcher(None, a, b)` for strings: the same
 * longest-matching-block recursion, the same tie-breaking and the same "popular element"
 * autojunk heuristic, so `sequenceRatio` returns exactly what Python's `.ratio()` returns.
 *
 * cursus's SemanticMatcher weights this ratio at 30 %, so any drift here would change which
 * upstream output wins a dependency. Strings are compared by Unicode code point, as Python does.
 */

/** One matching block: `a[a .. a+size) == b[b .. b+size)`. */
export interface MatchBlock {
  readonly a: number;
  readonly b: number;
  readonly size: number;
}

/** Python's `autojunk` only kicks in when the second sequence has at least this many elements. */
const AUTOJUNK_MIN_LENGTH = 200;

const NO_INDICES: readonly number[] = [];

/** `[alo, ahi, blo, bhi]`: the slices of `a` and `b` being searched. */
type Range = readonly [number, number, number, number];

/** A string as Python sees it (code points), plus, lazily, its index as the `b` sequence. */
interface Prepared {
  readonly codes: readonly number[];
  b2j: ReadonlyMap<number, readonly number[]> | null;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** The elements Python would compare: code points (one per UTF-16 unit when there are no pairs). */
function codePoints(text: string): number[] {
  const out: number[] = [];
  if (!SURROGATE.test(text)) {
    for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i));
    return out;
  }
  for (const ch of text) out.push(ch.codePointAt(0)!);
  return out;
}

/** Names are compared over and over when wiring a DAG, so their preparation is cached. */
const PREPARED_LIMIT = 20_000;
const preparedCache = new Map<string, Prepared>();

function prepare(text: string): Prepared {
  let prepared = preparedCache.get(text);
  if (prepared === undefined) {
    if (preparedCache.size >= PREPARED_LIMIT) preparedCache.clear();
    prepared = { codes: codePoints(text), b2j: null };
    preparedCache.set(text, prepared);
  }
  return prepared;
}

/**
 * Map every element of `b` to the ascending list of its positions, then drop "popular"
 * elements (more than `len(b) // 100 + 1` occurrences) when `len(b) >= 200`. Popular elements
 * are not junk: matches may still be extended through them, they just cannot seed a match.
 */
function indexB(b: readonly number[]): Map<number, number[]> {
  const b2j = new Map<number, number[]>();
  b.forEach((elt, j) => {
    const list = b2j.get(elt);
    if (list) list.push(j);
    else b2j.set(elt, [j]);
  });
  if (b.length >= AUTOJUNK_MIN_LENGTH) {
    const limit = Math.floor(b.length / 100) + 1;
    for (const [elt, list] of b2j) if (list.length > limit) b2j.delete(elt);
  }
  return b2j;
}

function indexOf(prepared: Prepared): ReadonlyMap<number, readonly number[]> {
  prepared.b2j ??= indexB(prepared.codes);
  return prepared.b2j;
}

/**
 * Scratch rows for `findLongestMatch` (Python's `j2len` dicts): `prevRow[j + 1]` is the length
 * of the match ending at `a[i - 1]`/`b[j]`. Only touched cells are written, and they are zeroed
 * again before the search returns, so the rows are shared by every call and only ever grow.
 */
let prevRow = new Int32Array(64);
let nextRow = new Int32Array(64);
let prevTouched: number[] = [];
let nextTouched: number[] = [];

function ensureRows(length: number): void {
  if (prevRow.length > length) return;
  prevRow = new Int32Array(length + 1);
  nextRow = new Int32Array(length + 1);
}

/** Forget the previous row, and make the row just filled the previous one. */
function swapRows(): void {
  for (const cell of prevTouched) prevRow[cell] = 0;
  prevTouched.length = 0;
  const row = prevRow;
  prevRow = nextRow;
  nextRow = row;
  const touched = prevTouched;
  prevTouched = nextTouched;
  nextTouched = touched;
}

/**
 * Longest block in `a[alo..ahi) × b[blo..bhi)`. Among equally long blocks the one starting
 * earliest in `a` wins, then the one starting earliest in `b` (Python's `find_longest_match`).
 * The block is then widened over equal elements that the popular-element purge hid. With no
 * `isjunk` function there are no junk elements, so CPython's junk-extension passes are no-ops.
 */
function findLongestMatch(
  a: readonly number[],
  b: readonly number[],
  b2j: ReadonlyMap<number, readonly number[]>,
  [alo, ahi, blo, bhi]: Range,
): MatchBlock {
  let bestI = alo;
  let bestJ = blo;
  let bestSize = 0;
  for (let i = alo; i < ahi; i++) {
    for (const j of b2j.get(a[i]!) ?? NO_INDICES) {
      if (j < blo) continue;
      if (j >= bhi) break;
      const k = prevRow[j]! + 1;
      nextRow[j + 1] = k;
      nextTouched.push(j + 1);
      if (k > bestSize) {
        bestI = i - k + 1;
        bestJ = j - k + 1;
        bestSize = k;
      }
    }
    swapRows();
  }
  swapRows();
  while (bestI > alo && bestJ > blo && a[bestI - 1] === b[bestJ - 1]) {
    bestI--;
    bestJ--;
    bestSize++;
  }
  while (bestI + bestSize < ahi && bestJ + bestSize < bhi && a[bestI + bestSize] === b[bestJ + bestSize]) {
    bestSize++;
  }
  return { a: bestI, b: bestJ, size: bestSize };
}

/** All blocks found by recursing left and right of each longest match (unsorted, unmerged). */
function rawBlocks(a: string, b: string): MatchBlock[] {
  const sa = prepare(a).codes;
  const pb = prepare(b);
  const sb = pb.codes;
  const b2j = indexOf(pb);
  ensureRows(sb.length);
  const blocks: MatchBlock[] = [];
  const queue: Range[] = [[0, sa.length, 0, sb.length]];
  for (let range = queue.pop(); range; range = queue.pop()) {
    const [alo, ahi, blo, bhi] = range;
    const m = findLongestMatch(sa, sb, b2j, range);
    if (m.size === 0) continue;
    blocks.push(m);
    if (alo < m.a && blo < m.b) queue.push([alo, m.a, blo, m.b]);
    if (m.a + m.size < ahi && m.b + m.size < bhi) queue.push([m.a + m.size, ahi, m.b + m.size, bhi]);
  }
  return blocks;
}

/**
 * Python's `get_matching_blocks()`: blocks sorted, adjacent ones merged, ending with the
 * `(len(a), len(b), 0)` sentinel. Exposed so tests can pin the tie-breaking, not just the ratio.
 */
export function matchingBlocks(a: string, b: string): MatchBlock[] {
  const sorted = rawBlocks(a, b).sort((x, y) => x.a - y.a || x.b - y.b || x.size - y.size);
  const merged: MatchBlock[] = [];
  for (const block of sorted) {
    const last = merged.at(-1);
    if (last && last.a + last.size === block.a && last.b + last.size === block.b) {
      merged[merged.length - 1] = { a: last.a, b: last.b, size: last.size + block.size };
    } else {
      merged.push(block);
    }
  }
  merged.push({ a: prepare(a).codes.length, b: prepare(b).codes.length, size: 0 });
  return merged;
}

/**
 * `difflib.SequenceMatcher(None, a, b).ratio()`: 2·M / T, where M is the number of matched
 * elements and T the total length of both strings; 1.0 when both are empty.
 */
export function sequenceRatio(a: string, b: string): number {
  const total = prepare(a).codes.length + prepare(b).codes.length;
  if (total === 0) return 1;
  let matches = 0;
  for (const block of rawBlocks(a, b)) matches += block.size;
  return (2 * matches) / total;
}
