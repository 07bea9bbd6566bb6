import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, repoRoot, tempDir } from "../../tests/helpers/paths.js";
import { readParquetFooter } from "./parquet-footer.js";

afterAll(removeTempDirs);

/*
 * The fixtures in tests/fixtures/parquet were written once by pyarrow 26.0.1 in a throwaway venv
 * (pyarrow is not a project dependency):
 *
 *   /work/main/.venv/bin/python -m venv /tmp/pq && /tmp/pq/bin/pip install pyarrow pandas
 *   cd tests/fixtures/parquet && /tmp/pq/bin/python - <<'EOF'
 *   import pandas as pd
 *   import pyarrow as pa
 *   import pyarrow.parquet as pq
 *
 *   flat = pa.table({
 *       "id": pa.array(range(123), pa.int64()),
 *       "name": [f"row-{i}" for i in range(123)],
 *       "score": [i / 7 for i in range(123)],
 *       "active": [i % 3 == 0 for i in range(123)],
 *       "day": pa.array(range(19000, 19123), pa.date32()),
 *   })
 *   pq.write_table(flat, "flat-snappy.parquet", row_group_size=100, compression="snappy")
 *   pq.write_table(flat, "flat-uncompressed.parquet", row_group_size=100, compression="none")
 *
 *   nested = pa.table({
 *       "id": pa.array([1, 2, 3, 4], pa.int32()),
 *       "point": [{"x": 1.0, "y": 2.0, "meta": {"tag": "a"}}, {"x": 3.0, "y": 4.0, "meta": {"tag": "b"}},
 *                 None, {"x": 5.0, "y": 6.0, "meta": None}],
 *       "tags": [["a", "b"], [], None, ["c"]],
 *       "attrs": pa.array([[("k", 1)], [], None, [("k", 2), ("j", 3)]], pa.map_(pa.string(), pa.int32())),
 *       "label": ["one", "two", "three", "four"],
 *   })
 *   pq.write_table(nested, "nested.parquet")
 *
 *   empty = pa.table({"a": pa.array([], pa.int64()), "b": pa.array([], pa.string())})
 *   pq.write_table(empty, "empty.parquet")
 *
 *   frame = pd.DataFrame({"city": ["Oslo", "Lima", "Pune"], "temp": [3.5, 19.0, 31.2], "rank": [3, 2, 1]})
 *   table = pa.Table.from_pandas(frame)  # carries the b"pandas" key-value metadata
 *   table = table.replace_schema_metadata({**table.schema.metadata, b"origin": b"dagtest fixture"})
 *   pq.write_table(table, "pandas-metadata.parquet")
 *
 *   wide = pa.table({f"c{i:02d}": [i, i + 1] for i in range(20)})  # 21 schema elements: long list header
 *   pq.write_table(wide, "wide.parquet")
 *   EOF
 */
const fixtures = path.join(repoRoot, "tests/fixtures/parquet");
const fixture = (name: string) => path.join(fixtures, name);
const FLAT = ["id", "name", "score", "active", "day"];

/** Writes `bytes` to a fresh temp file and reads its footer. */
function footerOf(bytes: Buffer | string, name = "file.parquet") {
  const file = path.join(tempDir(), name);
  writeFileSync(file, bytes);
  return readParquetFooter(file);
}

/** A Parquet file made of nothing but `PAR1`, a hand-written compact-protocol footer, its length and `PAR1`. */
function synthetic(footer: readonly number[]): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32LE(footer.length);
  return Buffer.concat([Buffer.from("PAR1"), Buffer.from(footer), length, Buffer.from("PAR1")]);
}

const varint = (n: bigint): number[] => {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  return [...out, Number(v)];
};
const zigzag = (n: number | bigint) => varint(BigInt(n) >= 0n ? BigInt(n) * 2n : -BigInt(n) * 2n - 1n);
const text = (s: string) => [...varint(BigInt(Buffer.byteLength(s))), ...Buffer.from(s)];
/** A leaf SchemaElement: type (field 1, INT32) and name (4). */
const leaf = (name: string) => [0x15, ...zigzag(1), 0x38, ...text(name), 0x00];
/** A group SchemaElement: name (field 4) and num_children (5). */
const group = (name: string, children: number) => [0x48, ...text(name), 0x15, ...zigzag(children), 0x00];

/** version, schema root{a, g{x, y}, b}, num_rows, then `extra` fields and the struct's stop. */
function metadata(rows: number | bigint, extra: readonly number[] = [], rootChildren = 3): number[] {
  return [
    0x15,
    ...zigzag(2), // 1: version
    0x19,
    0x6c, // 2: schema, 6 structs
    ...group("schema", rootChildren),
    ...leaf("a"),
    ...group("g", 2),
    ...leaf("x"),
    ...leaf("y"),
    ...leaf("b"),
    0x16,
    ...zigzag(rows), // 3: num_rows
    ...extra,
    0x00,
  ];
}

describe("readParquetFooter on files written by pyarrow", () => {
  it.each([
    ["flat-snappy.parquet", 123, FLAT],
    ["flat-uncompressed.parquet", 123, FLAT],
    ["nested.parquet", 4, ["id", "point", "tags", "attrs", "label"]],
    ["empty.parquet", 0, ["a", "b"]],
    ["pandas-metadata.parquet", 3, ["city", "temp", "rank"]],
    ["wide.parquet", 2, Array.from({ length: 20 }, (_, i) => `c${String(i).padStart(2, "0")}`)],
  ])("%s: %i rows", (name, rows, columns) => {
    expect(readParquetFooter(fixture(name))).toEqual({ rows, columns });
  });
});

describe("the compact-protocol reader", () => {
  it("reports only top-level columns, stepping over a group's children", () => {
    expect(footerOf(synthetic(metadata(7)))).toEqual({ rows: 7, columns: ["a", "g", "b"] });
  });

  it("keeps i64 row counts beyond 32 bits exact", () => {
    expect(footerOf(synthetic(metadata(5_000_000_000)))?.rows).toBe(5_000_000_000);
  });

  it("skips every kind of value writers may add to FileMetaData", () => {
    const extra = [
      0x19,
      0x0c, // 4: row_groups, an empty list of structs
      0x01,
      ...zigzag(100), // 100 (long-form field id): bool true, value in the type nibble
      0x1b,
      ...varint(1n),
      0x89, // 101: map<binary, list<bool>> of one entry
      ...text("k"),
      0xf1,
      ...varint(16n),
      ...Array.from({ length: 16 }, (_, i) => (i % 2 ? 1 : 2)), // long-form list of 16 bools
      0x1a,
      0x27,
      ...Array.from({ length: 16 }, () => 0), // 102: set<double> of two
      0x1d,
      ...Array.from({ length: 16 }, () => 0xab), // 103: uuid
      0x1c,
      0x13,
      0x7f,
      0x14,
      ...zigzag(-3),
      0x1c,
      0x12,
      0x00,
      0x00, // 104: struct{byte, i16, struct{bool false}}
      0x1b,
      0x00, // 105: an empty map, no key/value type byte
      0x16,
      ...zigzag(-1n << 62n), // 106: i64 near the bottom of its range
    ];
    expect(footerOf(synthetic(metadata(9, extra)))).toEqual({ rows: 9, columns: ["a", "g", "b"] });
  });

  it("refuses schemas whose child counts do not add up, and negative row counts", () => {
    expect(footerOf(synthetic(metadata(1, [], 2)))).toBeNull(); // b is left over
    expect(footerOf(synthetic(metadata(1, [], 4)))).toBeNull(); // a fourth column is missing
    expect(footerOf(synthetic(metadata(-1)))).toBeNull();
    const noSchema = [0x15, ...zigzag(2), 0x26, ...zigzag(3), 0x00]; // num_rows as field 3, no schema
    expect(footerOf(synthetic(noSchema))).toBeNull();
  });

  it("does not recurse without bound on deeply nested structs", () => {
    const deep = [...Array.from({ length: 10_000 }, () => 0x1c), ...Array.from({ length: 10_001 }, () => 0)];
    expect(footerOf(synthetic(deep))).toBeNull();
  });
});

describe("readParquetFooter on what is not a valid Parquet file", () => {
  const flat = readFileSync(fixture("flat-snappy.parquet"));
  const footerLength = flat.readUInt32LE(flat.length - 8);
  const withLength = (length: number) => {
    const copy = Buffer.from(flat);
    copy.writeUInt32LE(length, copy.length - 8);
    return copy;
  };

  it("a CSV renamed .parquet", () => {
    expect(footerOf("id,name\n1,a\n2,b\n")).toBeNull();
  });

  it.each([0, 3, 4, 12, 100, flat.length - 9, flat.length - 4, flat.length - 1])(
    "the first %i bytes of a real file",
    (n) => {
      expect(footerOf(flat.subarray(0, n))).toBeNull();
    },
  );

  it("a footer cut short behind a consistent length", () => {
    const footer = flat.subarray(flat.length - 8 - footerLength, flat.length - 8);
    expect(footerOf(synthetic([...footer.subarray(0, footerLength >> 1)]))).toBeNull();
  });

  it("just PAR1, or PAR1 twice", () => {
    expect(footerOf("PAR1")).toBeNull();
    expect(footerOf("PAR1PAR1")).toBeNull();
    expect(footerOf("PAR1\0\0\0\0PAR1")).toBeNull();
  });

  it.each([0, 1, footerLength - 1, footerLength + 1, flat.length - 12, flat.length - 11, 0xffffffff])(
    "a garbage footer length %i",
    (length) => {
      expect(footerOf(withLength(length))).toBeNull();
    },
  );

  it("a missing file or a folder", () => {
    expect(readParquetFooter(path.join(tempDir(), "absent.parquet"))).toBeNull();
    expect(readParquetFooter(tempDir())).toBeNull();
  });

  it("never throws or hangs on a footer with any one byte overwritten", () => {
    const nested = readFileSync(fixture("nested.parquet"));
    const length = nested.readUInt32LE(nested.length - 8);
    const file = path.join(tempDir(), "mutated.parquet");
    for (let at = nested.length - 8 - length; at < nested.length - 8; at++) {
      for (const value of [0xff, nested[at]! ^ 0x11]) {
        const copy = Buffer.from(nested);
        copy[at] = value;
        writeFileSync(file, copy);
        const result = readParquetFooter(file);
        if (result) expect(Number.isSafeInteger(result.rows) && result.rows >= 0).toBe(true);
      }
    }
  });
});
