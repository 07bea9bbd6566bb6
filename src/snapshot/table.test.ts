import { describe, expect, it } from "vitest";
import { parseDelimited, readTextTable, summarise, summariseColumns } from "./table.js";

describe("text tables", () => {
  it("parses quoted fields with separators, doubled quotes and newlines (RFC 4180)", () => {
    const text = 'id,note\r\n1,"a, b"\n2,"say ""hi"""\n3,"two\nlines"\n';
    expect(parseDelimited(text, ",")).toEqual([
      ["id", "note"],
      ["1", "a, b"],
      ["2", 'say "hi"'],
      ["3", "two\nlines"],
    ]);
  });

  it("summarises numbers (min/max/mean/sample std, nulls) and categoricals (distinct, top values)", () => {
    const table = readTextTable("x,city,flag\n1,Paris,true\n2,,false\n3,Paris,TRUE\nNaN,Rome,true\n", "csv");
    expect(summariseColumns(table)).toEqual({
      x: { type: "number", nulls: 1, min: 1, max: 3, mean: 2, std: 1 },
      city: {
        type: "string",
        nulls: 1,
        distinct: 2,
        top: [
          ["Paris", 2],
          ["Rome", 1],
        ],
      },
      flag: {
        type: "boolean",
        nulls: 0,
        distinct: 2,
        top: [
          ["true", 3],
          ["false", 1],
        ],
      },
    });
  });

  it("reads JSON lines by key, keeps 12 significant digits, and ranks ties by value", () => {
    const table = readTextTable('{"a": 0.1, "b": "y"}\n{"a": 0.2, "b": "x"}\n{"a": null, "c": 1}\n', "jsonl");
    expect(table.columns).toEqual(["a", "b", "c"]);
    const sums = summariseColumns(table);
    expect(sums.a).toEqual({
      type: "number",
      nulls: 1,
      min: 0.1,
      max: 0.2,
      mean: 0.15,
      std: 0.0707106781187,
    });
    expect(sums.b).toEqual({
      type: "string",
      nulls: 1,
      distinct: 2,
      top: [
        ["x", 1],
        ["y", 1],
      ],
    });
    expect(summarise([])).toEqual({ type: "string", nulls: 0, distinct: 0, top: [] });
  });
});
