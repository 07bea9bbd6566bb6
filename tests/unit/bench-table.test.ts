/**
 * The pure helpers of the whole-command benchmarks (bench/_table.ts): the medians and ratios the
 * peers benchmark prints, its table, and the rotation of the start order.
 */
import { describe, expect, it } from "vitest";
import { cell, figure, formatTable, median, minimum, rotated, speedup } from "../../bench/_table.js";

describe("median and minimum", () => {
  it("takes the middle value, or the mean of the two middle values, whatever the order", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(minimum([4, 1.5, 3])).toBe(1.5);
  });

  it("is NaN for no value, not 0 (a tool that was never timed)", () => {
    expect(median([])).toBeNaN();
    expect(minimum([])).toBeNaN();
  });

  it("does not reorder the caller's samples", () => {
    const samples = [3, 1, 2];
    median(samples);
    expect(samples).toEqual([3, 1, 2]);
  });
});

describe("speedup", () => {
  it("is the peer's median over dagtest's: above 1 when dagtest is faster", () => {
    expect(speedup([40_000, 50_000, 47_000], [3_000, 4_000, 3_500])).toBeCloseTo(47 / 3.5);
    expect(speedup([1_000], [2_000])).toBe(0.5);
  });

  it("is NaN when either side has no time or dagtest took none", () => {
    expect(speedup([], [1])).toBeNaN();
    expect(speedup([1], [])).toBeNaN();
    expect(speedup([1], [0])).toBeNaN();
  });
});

describe("figure", () => {
  it("prints a `name: value unit` line with two decimals, or n/a", () => {
    expect(figure("edit-leaf-vs-cold", 4.256)).toBe("edit-leaf-vs-cold: 4.26 x");
    expect(figure("unchanged-vs-dvc", Number.NaN)).toBe("unchanged-vs-dvc: n/a x");
  });
});

describe("formatTable", () => {
  const columns = [
    { key: "dagtest", label: "dagtest" },
    { key: "dvc", label: "DVC repro" },
  ];

  it("puts one measure per row and one tool per column, `median / min` in seconds, – where untimed", () => {
    const samples = new Map([
      [
        "full-chain20",
        new Map([
          ["dagtest", [3600, 3400, 3900]],
          ["dvc", [47_000, 46_500]],
        ]),
      ],
      ["edit-leaf", new Map([["dvc", [4200]]])],
    ]);
    const lines = formatTable(samples, columns).split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\| measure \(median \/ min s\) \| dagtest\s+\| DVC repro\s+\|$/);
    expect(lines[1]).toMatch(/^\|-+\|-+\|-+\|$/);
    expect(lines[2]).toMatch(/^\| full-chain20\s+\| 3\.60 \/ 3\.40 \| 46\.75 \/ 46\.50 \|$/);
    expect(lines[3]).toMatch(/^\| edit-leaf\s+\| –\s+\| 4\.20 \/ 4\.20\s+\|$/);
    // every row as wide as the header
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });

  it("marks a tool with no samples with –", () => {
    expect(cell(undefined)).toBe("–");
    expect(cell([])).toBe("–");
  });
});

describe("rotated", () => {
  it("starts each round with the next item, wrapping around", () => {
    expect(rotated(["a", "b", "c"], 0)).toEqual(["a", "b", "c"]);
    expect(rotated(["a", "b", "c"], 1)).toEqual(["b", "c", "a"]);
    expect(rotated(["a", "b", "c"], 5)).toEqual(["c", "a", "b"]);
    expect(rotated([], 3)).toEqual([]);
  });
});
