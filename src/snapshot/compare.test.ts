import { describe, expect, it } from "vitest";
import type { NodeSnapshot, Tolerance } from "../model/snapshot.js";
import { compareSnapshots, ignoreMatcher } from "./compare.js";
import { maskVolatile, volatileString } from "./volatile.js";

const tol: Tolerance = { relTol: 1e-3, absTol: 1e-9, ignore: [] };

function node(mean: number, auc: number, extra: Record<string, unknown> = {}): NodeSnapshot {
  return {
    data: {
      "train.csv": {
        kind: "table",
        format: "csv",
        rows: 10,
        columns: { amount: { type: "number", nulls: 0, min: 0, max: 10, mean, std: 1 } },
      },
    },
    metrics: { "metrics.json": { kind: "json", value: { val: { auc }, ...extra } } },
  };
}

describe("compareSnapshots", () => {
  it("accepts numbers within max(abs_tol, rel_tol × |expected|) and names the statistic beyond it", () => {
    expect(compareSnapshots(node(5, 0.8), node(5.004, 0.8008), tol)).toEqual([]);
    expect(compareSnapshots(node(5, 0.8), node(5.01, 0.8), tol)).toEqual([
      { path: "data/train.csv#amount.mean", what: "mean", expected: 5, got: 5.01, tolerance: 0.005 },
    ]);
    expect(compareSnapshots(node(5, 0.8), node(5, 0.9), tol)).toEqual([
      { path: "metrics/metrics.json#/val/auc", what: "value", expected: 0.8, got: 0.9, tolerance: 0.0008 },
    ]);
  });

  it("reports missing and new files, columns and keys", () => {
    const got = node(5, 0.8, { extra: 1 });
    const { metrics } = got;
    const diffs = compareSnapshots(node(5, 0.8), { metrics: metrics!, more: {} }, tol);
    expect(diffs.map((d) => `${d.path} ${d.what}`)).toEqual([
      "data output port missing",
      "metrics/metrics.json#/extra new key",
      "more new output port",
    ]);
  });

  it("ignores what `ignore` names: a file glob, a column, a JSON pointer and everything below it", () => {
    const moved = node(9, 0.1);
    expect(compareSnapshots(node(5, 0.8), moved, { ...tol, ignore: ["data/*.csv", "metrics/**"] })).toEqual(
      [],
    );
    expect(
      compareSnapshots(node(5, 0.8), moved, { ...tol, ignore: ["data/train.csv#amount", "#/val"] }),
    ).toEqual([]);
    const matches = ignoreMatcher(["metrics/metrics.json#/val"]);
    expect(matches("metrics/metrics.json#/val/auc")).toBe(true);
    expect(matches("metrics/metrics.json#/value")).toBe(false);
  });
});

describe("volatile values", () => {
  it("recognises timestamps, UUIDs, run ids and absolute paths, and time-named numbers", () => {
    expect(
      [
        "2026-11-21T14:15:02Z",
        "2026-11-21",
        "9f1c2b9e-1d2a-4c3b-8e4f-0a1b2c3d4e5f",
        "20261121-141502-3fa9",
        "/tmp/x/model.pkl",
      ].map(volatileString),
    ).toEqual(["timestamp", "timestamp", "uuid", "run id", "absolute path"]);
    expect(volatileString("model.pkl")).toBeNull();
    expect(
      maskVolatile({
        created_at: 1700000000,
        elapsed_ms: 12,
        auc: 0.9,
        path: "/abs/out",
        run_id: "abc",
        rows: 3,
      }),
    ).toEqual({
      auc: 0.9,
      created_at: "<volatile: time>",
      elapsed_ms: "<volatile: time>",
      path: "<volatile: absolute path>",
      rows: 3,
      run_id: "<volatile: run id>",
    });
  });

  it("never compares a masked value", () => {
    const at = (when: unknown): NodeSnapshot => ({
      m: { "m.json": { kind: "json", value: maskVolatile({ when }) } },
    });
    expect(compareSnapshots(at("2026-01-01T00:00:00Z"), at("2026-02-02T10:00:00Z"), tol)).toEqual([]);
  });
});
