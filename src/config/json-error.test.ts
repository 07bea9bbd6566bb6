import { describe, expect, it } from "vitest";
import { jsonErrorMessage, jsonErrorOffset } from "./json-error.js";

function v8Error(text: string): string | null {
  try {
    JSON.parse(text);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

describe("jsonErrorOffset", () => {
  const valid = [
    "{}",
    "[]",
    '  {"a": [1, 2.5, -3e-2, true, false, null], "b": {"c": "\\u00e9\\n\\"x\\""}}  ',
    '"just a string"',
    "0",
  ];
  it.each(valid)("finds no error in valid JSON %s", (text) => {
    expect(v8Error(text)).toBeNull();
    expect(jsonErrorOffset(text)).toBeNull();
  });

  const invalid = [
    '{"a":1,}',
    '{"a" 1}',
    "[1 2]",
    '"abc',
    '{"a":"\\x"}',
    "{} x",
    "01",
    '{"a":\n  1\n  "b": 2}',
    "[1,\n 2,\n]",
    '{"a": [1,]}',
  ];
  it.each(invalid)("agrees with V8 where V8 names a position: %s", (text) => {
    const message = v8Error(text);
    expect(message).not.toBeNull();
    const offset = jsonErrorOffset(text);
    expect(offset).not.toBeNull();
    const position = /position (\d+)/.exec(message!);
    if (position) expect(offset).toBe(Number(position[1]));
  });

  it("points a trailing comma at the closing bracket (V8 gives no position for it)", () => {
    const text = '{\n  "nodes": [\n    "a",\n  ],\n  "edges": []\n}';
    expect(v8Error(text)).not.toMatch(/position \d+/);
    expect(jsonErrorOffset(text)).toBe(text.indexOf("]"));
  });

  it("points at the end of a truncated text", () => {
    expect(jsonErrorOffset('{"nodes": [')).toBe(11);
    expect(jsonErrorOffset("")).toBe(0);
  });
});

describe("jsonErrorMessage", () => {
  it("drops V8's multi-line source excerpt and keeps the reason", () => {
    const message = v8Error('{\n  "nodes": [\n    "a",\n  ],\n  "edges": []\n}')!;
    expect(message).toContain("\n");
    expect(jsonErrorMessage(message)).toBe("Unexpected token ']'");
  });

  it("leaves messages without an excerpt alone", () => {
    const message = v8Error('{"a" 1}')!;
    expect(jsonErrorMessage(message)).toBe(message);
  });
});
