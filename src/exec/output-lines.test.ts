import { describe, expect, it } from "vitest";
import { LineSplitter, MAX_LINE_CHARS, MAX_LINES } from "./output-lines.js";

function collect(): { lines: string[]; splitter: LineSplitter } {
  const lines: string[] = [];
  return { lines, splitter: new LineSplitter("stdout", (_stream, batch) => lines.push(...batch)) };
}

describe("output lines", () => {
  it("joins lines split across chunks (and UTF-8 characters split across chunks)", () => {
    const { lines, splitter } = collect();
    const text = Buffer.from("héllo wo");
    splitter.write(text.subarray(0, 2)); // cuts é in half
    splitter.write(text.subarray(2));
    splitter.write(Buffer.from("rld\r\nsecond\nlast without newline"));
    expect(lines).toEqual(["héllo world", "second"]);
    splitter.close();
    expect(lines).toEqual(["héllo world", "second", "last without newline"]);
  });

  it("cuts a very long line and stops after MAX_LINES with one line saying so", () => {
    const { lines, splitter } = collect();
    splitter.write(Buffer.from(`${"x".repeat(MAX_LINE_CHARS * 3)}\n`));
    expect(lines[0]).toHaveLength(MAX_LINE_CHARS + 1);
    splitter.write(Buffer.from("y\n".repeat(MAX_LINES + 50)));
    splitter.write(Buffer.from("z\n"));
    splitter.close();
    expect(lines).toHaveLength(MAX_LINES + 1);
    expect(lines.at(-1)).toContain("the rest is in the stdout log only");
  });
});
