/**
 * dagtest.yaml as an editable document: only what the user decides is written, and saving keeps
 * the comments and key order of a hand-edited file (the `yaml` library's Document API). Saving is
 * atomic, so an interrupted save leaves the old file as it was.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type Document, isMap, parseDocument, Document as YamlDocument } from "yaml";
import type { NodeSettings } from "../config/spec-schema.js";

export class SpecDocument {
  readonly file: string;
  readonly #doc: Document;
  /** The file exists on disk (it was written by `init`, the factory or the user). */
  saved: boolean;

  private constructor(file: string, doc: Document, saved: boolean) {
    this.file = file;
    this.#doc = doc;
    this.saved = saved;
  }

  /** The existing file, or a new document holding `initial` when there is none. */
  static open(file: string, initial: () => Record<string, unknown>): SpecDocument {
    if (existsSync(file)) return new SpecDocument(file, parseDocument(readFileSync(file, "utf8")), true);
    const doc = new YamlDocument(initial());
    doc.commentBefore = " dagtest test spec, written by dagtest: edit freely, comments are kept.";
    return new SpecDocument(file, doc, false);
  }

  get dir(): string {
    return path.dirname(this.file);
  }

  text(): string {
    // No padding inside flow collections: `[interfaces]` stays as a person writes it.
    return this.#doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  }

  /** The per-node settings as written (paths as the user wrote them, relative to the file). */
  nodeSettings(): Record<string, NodeSettings> {
    const nodes = this.#doc.get("nodes");
    return isMap(nodes) ? (nodes.toJSON() as Record<string, NodeSettings>) : {};
  }

  /** Set `nodes.<node>.<section>.<key>`; a null value removes the key (and empty parents). */
  setNodeValue(
    node: string,
    section: keyof NodeSettings,
    key: string,
    value: string | number | boolean | Readonly<Record<string, unknown>> | null,
  ): void {
    const at = ["nodes", node, section, key];
    if (value === null) {
      if (this.#doc.hasIn(at)) this.#doc.deleteIn(at);
      this.#pruneEmpty(["nodes", node, section]);
      this.#pruneEmpty(["nodes", node]);
      this.#pruneEmpty(["nodes"]);
      return;
    }
    this.#doc.setIn(at, typeof value === "object" ? this.#doc.createNode(value, { flow: true }) : value);
  }

  /** Set any value at a path of the file (`run.guards.stub_modules`), as a settings edit. */
  setPath(at: readonly string[], value: unknown): void {
    this.#doc.setIn(at, value);
  }

  #pruneEmpty(at: string[]): void {
    const value = this.#doc.getIn(at);
    if (isMap(value) && value.items.length === 0) this.#doc.deleteIn(at);
  }

  /** Write atomically: a temp file renamed over the old one. */
  save(): void {
    const tmp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(tmp, this.text());
    renameSync(tmp, this.file);
    this.saved = true;
  }

  /** A path as written into the file: relative to it when inside its folder tree. */
  relative(p: string): string {
    const rel = path.relative(this.dir, path.resolve(this.dir, p));
    return rel.startsWith("..") && path.isAbsolute(p) ? p : rel || ".";
  }
}
