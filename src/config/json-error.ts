/**
 * Where a JSON text first goes wrong. `JSON.parse` in Node 20 names no position for its most
 * common error ("Unexpected token ']', ..."...\" is not valid JSON", a trailing comma), so the
 * offset is recovered by a small strict scanner, run only after `JSON.parse` has failed.
 */

class Stop {
  constructor(readonly at: number) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** The 0-based offset of the first JSON syntax error in `text`, or null when it is valid JSON. */
export function jsonErrorOffset(text: string): number | null {
  let i = 0;
  const fail = (): never => {
    throw new Stop(i);
  };
  const space = (): void => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const quoted = (): void => {
    i++; // opening quote
    for (;;) {
      const c = text[i];
      if (c === undefined) fail();
      if (c === '"') {
        i++;
        return;
      }
      if (c === "\\") {
        const next = text[i + 1];
        if (next === "u" && HEX4.test(text.slice(i + 2, i + 6))) i += 6;
        else if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 2;
        else {
          i++;
          fail();
        }
      } else if (c!.charCodeAt(0) < 0x20) fail();
      else i++;
    }
  };
  const sequence = (close: string, item: () => void): void => {
    i++; // opening bracket
    space();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      space();
      if (text[i] === ",") i++;
      else if (text[i] === close) {
        i++;
        return;
      } else fail();
    }
  };
  const member = (): void => {
    space();
    if (text[i] !== '"') fail();
    quoted();
    space();
    if (text[i] !== ":") fail();
    i++;
    value();
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === "{") sequence("}", member);
    else if (c === "[") sequence("]", value);
    else if (c === '"') quoted();
    else scalar();
  };
  const scalar = (): void => {
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) {
      i = NUMBER.lastIndex;
      return;
    }
    fail();
  };
  try {
    value();
    space();
    if (i < text.length) fail();
    return null;
  } catch (error) {
    if (error instanceof Stop) return error.at;
    throw error;
  }
}

/** `JSON.parse`'s message without the multi-line source excerpt V8 appends. */
export function jsonErrorMessage(message: string): string {
  return message.replace(/, (?:\.\.\.)?"[\s\S]*$/, "");
}
