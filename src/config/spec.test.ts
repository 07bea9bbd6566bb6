import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rejection } from "../../tests/helpers/errors.js";
import { removeTempDirs, tempDir, writeTree } from "../../tests/helpers/paths.js";
import { loadSpecProject } from "./project.js";
import { loadSpec, resolveSpecPath } from "./spec.js";

afterAll(removeTempDirs);

function specFile(text: string): string {
  const dir = writeTree(tempDir(), { "dagtest.yaml": text });
  return path.join(dir, "dagtest.yaml");
}

function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`"${needle}" not in text`);
  return text.slice(0, at).split("\n").length;
}

const PLAIN = [
  "# a plain pipeline",
  "version: 1",
  "pipeline:",
  "  nodes:",
  "    extract:",
  "      script: extract.py",
  "      outputs: [raw]",
  "    transform:",
  "      script: transform.py",
  "      inputs: [raw]",
  "  edges:",
  "    - [extract, transform]",
  "",
].join("\n");

describe("loadSpec", () => {
  it("validates a plain pipeline and applies defaults", () => {
    const loaded = loadSpec(specFile(PLAIN));
    expect(loaded.spec.pipeline?.nodes.extract?.inputs).toEqual([]);
    expect(loaded.spec.pipeline?.edges).toEqual([["extract", "transform"]]);
    expect(loaded.dir).toBe(path.dirname(loaded.file));
  });

  it("an unknown top-level field → DAGTEST_SPEC_INVALID at the field's own line", () => {
    const text = "version: 1\n\ndag: pipeline.dag.json\ncolour: blue\n";
    const error = rejection(() => loadSpec(specFile(text)));
    expect(error.code).toBe("DAGTEST_SPEC_INVALID");
    expect(error.message).toContain('unknown field(s) "colour"');
    expect(error.location?.line).toBe(lineOf(text, "colour"));
    expect(error.hint).toContain("dagtest.schema.json");
  });

  it("an unknown nested field is named with its path and its line", () => {
    const text = PLAIN.replace("      inputs: [raw]\n", "      inputs: [raw]\n      scirpt: typo.py\n");
    const error = rejection(() => loadSpec(specFile(text)));
    expect(error.code).toBe("DAGTEST_SPEC_INVALID");
    expect(error.message).toContain('pipeline.nodes.transform: unknown field(s) "scirpt"');
    expect(error.location?.line).toBe(lineOf(text, "scirpt"));
    expect(error.location?.column).toBe(7);
  });

  it("a value of the wrong type is located at that value", () => {
    const text = "version: 1\ndag: x.json\nnodes:\n  A:\n    skip: maybe\n";
    const error = rejection(() => loadSpec(specFile(text)));
    expect(error.code).toBe("DAGTEST_SPEC_INVALID");
    expect(error.message).toContain("nodes.A.skip");
    expect(error.location?.line).toBe(lineOf(text, "maybe"));
  });

  it.each([
    ["both dag: and pipeline:", `${PLAIN}dag: pipeline.dag.json\n`],
    ["neither dag: nor pipeline:", "version: 1\nconfig: config.json\n"],
  ])("%s → DAGTEST_SPEC_INVALID", (_what, text) => {
    const error = rejection(() => loadSpec(specFile(text)));
    expect(error.code).toBe("DAGTEST_SPEC_INVALID");
    expect(error.message).toMatch(/either `dag:`.*or `pipeline:`/);
  });

  it("refuses another format version", () => {
    const error = rejection(() => loadSpec(specFile("version: 2\ndag: x.json\n")));
    expect(error.code).toBe("DAGTEST_SPEC_INVALID");
    expect(error.message).toContain("version");
  });

  it("malformed YAML → DAGTEST_PARSE_ERROR with its line", () => {
    const text = "version: 1\ndag: x.json\nconfig: a: b\npython: py\n";
    const error = rejection(() => loadSpec(specFile(text)));
    expect(error.code).toBe("DAGTEST_PARSE_ERROR");
    expect(error.location).toMatchObject({ line: lineOf(text, "config:"), column: 9 });
  });
});

describe("resolveSpecPath", () => {
  it("accepts a folder holding dagtest.yaml, or the file itself", () => {
    const file = specFile(PLAIN);
    expect(resolveSpecPath(path.dirname(file))).toBe(file);
    expect(resolveSpecPath(file)).toBe(file);
  });

  it("a folder without dagtest.yaml → DAGTEST_SPEC_NOT_FOUND with a hint", () => {
    const error = rejection(() => resolveSpecPath(tempDir()));
    expect(error.code).toBe("DAGTEST_SPEC_NOT_FOUND");
    expect(error.hint).toContain("dagtest plan --dag");
  });
});

describe("loadSpecProject: names in the spec must be DAG nodes", () => {
  it("a node in `nodes:` that is not in the DAG → did-you-mean, at its line", () => {
    const text = `${PLAIN}nodes:\n  transfrom:\n    env: {A: "1"}\n`;
    const error = rejection(() => loadSpecProject(specFile(text)));
    expect(error.code).toBe("DAGTEST_SPEC_INVALID");
    expect(error.message).toContain(
      'names node "transfrom", which is not in the DAG. Did you mean "transform"?',
    );
    expect(error.location?.line).toBe(lineOf(text, "  transfrom:"));
  });

  it("a node name under `nodes:` that cannot be a folder → DAGTEST_BAD_NODE_NAME at its key", () => {
    const text = `${PLAIN}nodes:\n  ../extract:\n    skip: true\n`;
    const error = rejection(() => loadSpecProject(specFile(text)));
    expect(error.code).toBe("DAGTEST_BAD_NODE_NAME");
    expect(error.location?.line).toBe(lineOf(text, "  ../extract:"));
  });

  it("a bad node name in `pipeline.nodes` is located at that node, not the first one", () => {
    const text = PLAIN.replace("    transform:\n", "    trans/form:\n").replace(
      "[extract, transform]",
      "[extract, trans/form]",
    );
    const error = rejection(() => loadSpecProject(specFile(text)));
    expect(error.code).toBe("DAGTEST_BAD_NODE_NAME");
    expect(error.location?.line).toBe(lineOf(text, "    trans/form:"));
  });

  it("a wire naming an unknown node → did-you-mean", () => {
    const text = `${PLAIN}wires:\n  - {from: extrakt.raw, to: transform.raw}\n`;
    const error = rejection(() => loadSpecProject(specFile(text)));
    expect(error.code).toBe("DAGTEST_SPEC_INVALID");
    expect(error.message).toContain('Did you mean "extract"?');
    expect(error.location?.line).toBe(lineOf(text, "extrakt"));
  });

  it("a wire end not written as <node>.<port> → DAGTEST_SPEC_INVALID", () => {
    const error = rejection(() =>
      loadSpecProject(specFile(`${PLAIN}wires:\n  - {from: extract, to: transform.raw}\n`)),
    );
    expect(error.code).toBe("DAGTEST_SPEC_INVALID");
    expect(error.message).toContain("<node>.<output port>");
  });

  it("an edge in `pipeline:` naming an undeclared node → DAGTEST_UNKNOWN_EDGE_NODE inside dagtest.yaml", () => {
    const text = PLAIN.replace("[extract, transform]", "[extract, transfrom]");
    const file = specFile(text);
    const error = rejection(() => loadSpecProject(file));
    expect(error.code).toBe("DAGTEST_UNKNOWN_EDGE_NODE");
    expect(error.message).toContain('Did you mean "transform"?');
    expect(error.location).toMatchObject({ file, line: lineOf(text, "transfrom") });
  });

  it("resolves paths relative to the spec's folder", () => {
    const file = specFile(PLAIN);
    const project = loadSpecProject(file, { python: "/usr/bin/python3" });
    expect(project.plain?.extract?.script).toBe(path.join(path.dirname(file), "extract.py"));
    expect(project.dag.nodes).toEqual(["extract", "transform"]);
    expect(project.python).toBe("/usr/bin/python3");
    expect(project.registry).toBeNull();
  });
});
