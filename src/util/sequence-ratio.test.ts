import { describe, expect, it } from "vitest";
import { matchingBlocks, sequenceRatio } from "./sequence-ratio.js";

// Every expected value below was produced by CPython 3.11 (`/work/main/.venv/bin/python`) with
// `difflib.SequenceMatcher(None, a, b).ratio()` / `.get_matching_blocks()` and pasted verbatim.

const RATIO_CASES: readonly (readonly [string, string, number])[] = [
  ["", "", 1.0],
  ["", "abc", 0.0],
  ["abc", "abc", 1.0],
  ["abcd", "bcde", 0.75],
  ["abxcd", "abcd", 0.8888888888888888],
  ["aaaa", "aa", 0.6666666666666666],
  ["abab", "baba", 0.75],
  ["abcabc", "cbacba", 0.5],
  ["qabxcd", "abycdf", 0.6666666666666666],
  ["private Thread currentThread;", "private volatile Thread currentThread;", 0.8656716417910447],
  ["model artifacts input", "model input data", 0.5945945945945946],
  ["evaluation data", "evaluation output", 0.75],
  ["data", "processed data", 0.4444444444444444],
  ["tide", "diet", 0.25],
  ["kitten", "sitting", 0.6153846153846154],
  ["aaabbb", "bbbaaa", 0.5],
  ["xyz", "abc", 0.0],
  ["ababab", "bababa", 0.8333333333333334],
  [
    "The quick brown fox jumps over the lazy dog",
    "The quick brown dog jumps over the lazy fox",
    0.9069767441860465,
  ],
  // Non-ASCII: Python compares code points.
  ["héllo wörld", "hello world", 0.8181818181818182],
];

describe("sequenceRatio", () => {
  it.each(RATIO_CASES)("ratio(%j, %j) = %d as in CPython", (a, b, expected) => {
    expect(sequenceRatio(a, b)).toBe(expected);
  });

  it("counts astral characters as one element, like a Python str", () => {
    // Python: SequenceMatcher(None, "a😀b", "a😀c").ratio() == 2*2/6
    expect(sequenceRatio("a😀b", "a😀c")).toBe(0.6666666666666666);
  });
});

describe("sequenceRatio autojunk (len(b) >= 200)", () => {
  it("extends a match through popular elements even though they cannot seed one", () => {
    // b = 'a'*250: 'a' is popular (250 > 250//100+1) and purged from the index, so no match is
    // seeded, but the forward extension from (0, 0) still walks 250 equal elements.
    expect(sequenceRatio("a".repeat(300), "a".repeat(250))).toBe(0.9090909090909091);
  });

  it("only the rare element can seed a match", () => {
    // Without autojunk this would be 600/602; CPython gives 2/602.
    expect(sequenceRatio(`${"a".repeat(300)}b`, `b${"a".repeat(300)}`)).toBe(0.0033222591362126247);
  });

  it("finds only the prefix reachable by extension when every element is popular", () => {
    expect(sequenceRatio("abc".repeat(80), "abd".repeat(80))).toBe(0.008333333333333333);
    expect(
      sequenceRatio(`${"x".repeat(150)}${"y".repeat(100)}`, `${"y".repeat(100)}${"x".repeat(150)}`),
    ).toBe(0.0);
  });

  it("does not apply below 200 elements", () => {
    // 199 'a's on each side: nothing is purged, full match.
    expect(sequenceRatio("a".repeat(199), "a".repeat(199))).toBe(1.0);
  });
});

describe("matchingBlocks (tie-breaking)", () => {
  const blocks = (a: string, b: string) => matchingBlocks(a, b).map((m) => [m.a, m.b, m.size]);

  it("prefers the earliest block in a, then in b", () => {
    expect(blocks("ab", "ba")).toEqual([
      [0, 1, 1],
      [2, 2, 0],
    ]);
    expect(blocks("tide", "diet")).toEqual([
      [0, 3, 1],
      [4, 4, 0],
    ]);
    expect(blocks("abcabc", "cbacba")).toEqual([
      [0, 2, 1],
      [1, 4, 1],
      [3, 5, 1],
      [6, 6, 0],
    ]);
  });

  it("recurses on both sides of the longest block", () => {
    expect(blocks("abxcd", "abcd")).toEqual([
      [0, 0, 2],
      [3, 2, 2],
      [5, 4, 0],
    ]);
    expect(blocks("aXbXc", "cXbXa")).toEqual([
      [1, 1, 3],
      [5, 5, 0],
    ]);
    expect(
      blocks("The quick brown fox jumps over the lazy dog", "The quick brown dog jumps over the lazy fox"),
    ).toEqual([
      [0, 0, 16],
      [17, 17, 1],
      [19, 19, 21],
      [41, 41, 1],
      [43, 43, 0],
    ]);
  });

  it("ends with the sentinel only when nothing matches", () => {
    expect(blocks("xyz", "abc")).toEqual([[3, 3, 0]]);
    expect(blocks("", "")).toEqual([[0, 0, 0]]);
  });
});
