/**
 * Rows and top-level column names of a Parquet file, read from its footer alone: the data-flow
 * checks profile every wire, and neither a Parquet dependency nor a Python round trip is worth it
 * for two numbers that the footer already holds.
 *
 * Layout: `PAR1 <data> <FileMetaData, Thrift compact protocol> <u32 LE footer length> PAR1`.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

export interface ParquetFooter {
  readonly rows: number;
  readonly columns: string[];
}

const MAGIC = "PAR1";
/** Footers beyond this are refused rather than read: profiling must stay cheap on a laptop. */
const MAX_FOOTER_BYTES = 64 * 1024 * 1024;
/** Parquet metadata nests about six deep; a deeper struct is garbage and must not blow the stack. */
const MAX_DEPTH = 64;

/** Rows and top-level column names, or null for anything that is not a readable Parquet file. */
export function readParquetFooter(file: string): ParquetFooter | null {
  try {
    const footer = readFooterBytes(file);
    return footer ? parseFileMetaData(footer) : null;
  } catch {
    // A malformed footer, an unreadable file or a folder: no profile, never a failed run.
    return null;
  }
}

function readFooterBytes(file: string): Buffer | null {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    if (size < 12) return null; // head magic + footer length + tail magic
    const tail = readAt(fd, size - 8, 8);
    const head = readAt(fd, 0, 4);
    if (tail.toString("latin1", 4) !== MAGIC || head.toString("latin1") !== MAGIC) return null;
    const length = tail.readUInt32LE(0);
    if (length === 0 || length > MAX_FOOTER_BYTES || length > size - 12) return null;
    return readAt(fd, size - 8 - length, length);
  } finally {
    closeSync(fd);
  }
}

/** Exactly `length` bytes at `position`, looping because a read may return fewer. */
function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) throw new Error("file shrank while reading its footer");
    done += n;
  }
  return buffer;
}

/** Thrift compact-protocol type ids. */
const T = {
  STOP: 0,
  TRUE: 1,
  FALSE: 2,
  BYTE: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
  UUID: 13,
} as const;

class Malformed extends Error {}

/** A bounds-checked cursor over a compact-protocol buffer; every overrun throws `Malformed`. */
class CompactReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  byte(): number {
    const b = this.buf[this.pos];
    if (b === undefined) throw new Malformed("unexpected end of footer");
    this.pos += 1;
    return b;
  }

  skipBytes(n: number): void {
    if (n < 0 || n > this.remaining) throw new Malformed("length beyond the footer");
    this.pos += n;
  }

  /** An unsigned varint of at most 32 bits (sizes, lengths); arithmetic, not bit ops, stays unsigned. */
  varint32(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (value > 0xffffffff) throw new Malformed("varint overflows 32 bits");
        return value;
      }
    }
    throw new Malformed("varint longer than 5 bytes");
  }

  /** A zigzag i16/i32. */
  int32(): number {
    const v = this.varint32();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  /** A zigzag i64, exact: row counts may exceed what the 32-bit path could hold. */
  int64(): bigint {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.byte();
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return (value >> 1n) ^ -(value & 1n);
    }
    throw new Malformed("varint longer than 10 bytes");
  }

  binary(): Buffer {
    const length = this.varint32();
    if (length > this.remaining) throw new Malformed("binary beyond the footer");
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** Walks a struct's fields, handing each (id, type) to `onField`, which must consume the value. */
  struct(depth: number, onField: (id: number, type: number) => void): void {
    if (depth > MAX_DEPTH) throw new Malformed("structs nested too deep");
    let lastId = 0;
    for (;;) {
      const header = this.byte();
      const type = header & 0x0f;
      if (type === T.STOP) return;
      const delta = header >> 4;
      // A zero delta means the id did not fit in 4 bits and follows as a zigzag i16.
      const id = delta === 0 ? this.int32() : lastId + delta;
      lastId = id;
      onField(id, type);
    }
  }

  /** A list or set header: element count (4 bits, or 15 and a varint) and element type. */
  listHeader(): { size: number; type: number } {
    const header = this.byte();
    const short = header >> 4;
    const size = short === 15 ? this.varint32() : short;
    // Every element takes at least one byte, so a larger count is garbage, not a long loop.
    if (size > this.remaining) throw new Malformed("list longer than the footer");
    return { size, type: header & 0x0f };
  }

  /** Consumes one value of `type`; `inField` because a field's bool lives in its header. */
  skip(type: number, depth: number, inField: boolean): void {
    if (depth > MAX_DEPTH) throw new Malformed("values nested too deep");
    switch (type) {
      case T.TRUE:
      case T.FALSE:
        if (!inField) this.byte(); // in a collection a bool is one byte of its own
        return;
      case T.BYTE:
        this.byte();
        return;
      case T.I16:
      case T.I32:
        this.varint32();
        return;
      case T.I64:
        this.int64();
        return;
      case T.DOUBLE:
        this.skipBytes(8);
        return;
      case T.BINARY:
        this.binary();
        return;
      case T.UUID:
        this.skipBytes(16);
        return;
      case T.LIST:
      case T.SET: {
        const { size, type: element } = this.listHeader();
        for (let i = 0; i < size; i++) this.skip(element, depth + 1, false);
        return;
      }
      case T.MAP: {
        const size = this.varint32();
        if (size === 0) return; // an empty map has no key/value type byte
        if (size > this.remaining) throw new Malformed("map longer than the footer");
        const kinds = this.byte();
        for (let i = 0; i < size; i++) {
          this.skip(kinds >> 4, depth + 1, false);
          this.skip(kinds & 0x0f, depth + 1, false);
        }
        return;
      }
      case T.STRUCT:
        this.struct(depth + 1, (_id, fieldType) => this.skip(fieldType, depth + 1, true));
        return;
      default:
        throw new Malformed(`unknown compact type ${type}`);
    }
  }
}

interface SchemaElement {
  name: string | null;
  numChildren: number;
}

/** FileMetaData: 2 schema (list<SchemaElement>), 3 num_rows (i64); every other field is skipped. */
function parseFileMetaData(footer: Buffer): ParquetFooter | null {
  const reader = new CompactReader(footer);
  // A holder, not two `let`s: fields are filled in by the callback, where narrowing cannot follow.
  const found: { schema: SchemaElement[] | null; rows: bigint | null } = { schema: null, rows: null };
  reader.struct(0, (id, type) => {
    if (id === 2 && type === T.LIST) {
      const { size, type: element } = reader.listHeader();
      if (element !== T.STRUCT) throw new Malformed("schema is not a list of structs");
      const schema: SchemaElement[] = [];
      for (let i = 0; i < size; i++) schema.push(parseSchemaElement(reader));
      found.schema = schema;
    } else if (id === 3 && type === T.I64) {
      found.rows = reader.int64();
    } else {
      reader.skip(type, 1, true);
    }
  });
  const { schema, rows } = found;
  if (schema === null || rows === null || rows < 0n || rows > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  const columns = topLevelNames(schema);
  return columns ? { rows: Number(rows), columns } : null;
}

/** SchemaElement: 4 name (string), 5 num_children (i32); type, repetition, logical type skipped. */
function parseSchemaElement(reader: CompactReader): SchemaElement {
  const element: SchemaElement = { name: null, numChildren: 0 };
  reader.struct(1, (id, type) => {
    if (id === 4 && type === T.BINARY) element.name = reader.binary().toString("utf8");
    else if (id === 5 && type === T.I32) element.numChildren = reader.int32();
    else reader.skip(type, 2, true);
  });
  return element;
}

/**
 * The root's children, in order. The schema is a depth-first flattening of the tree, so each
 * top-level column is followed by its whole subtree, which is stepped over by counting children.
 * A schema whose counts do not account for exactly every element is malformed.
 */
function topLevelNames(schema: readonly SchemaElement[]): string[] | null {
  const root = schema[0];
  if (!root || root.numChildren < 0) return null;
  const names: string[] = [];
  let i = 1;
  for (let c = 0; c < root.numChildren; c++) {
    const column = schema[i];
    if (!column || column.name === null) return null;
    names.push(column.name);
    // Elements still owed to this column's subtree, itself included.
    let owed = 1;
    while (owed > 0) {
      const element = schema[i];
      if (!element || element.numChildren < 0) return null;
      owed += element.numChildren - 1;
      i += 1;
    }
  }
  return i === schema.length ? names : null;
}
