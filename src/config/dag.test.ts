import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rejection } from "../../tests/helpers/errors.js";
import { removeTempDirs, tempDir } from "../../tests/helpers/paths.js";
import { DagtestError } from "../errors.js";
import { checkNodeName, loadDag } from "./dag.js";

afterAll(removeTempDirs);

const dir = tempDir();
let counter = 0;

function write(text: string, ext = ".json"): string {
  const file = path.join(dir, `dag-${counter++}${ext}`);
  writeFileSync(file, text);
  return file;
}

/** The 1-based line of the `nth` (0-based) occurrence of `needle` in `text`. */
function lineOf(text: string, needle: string, nth = 0): number {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" occurs fewer than ${nth + 1} times`);
  }
  return text.slice(0, at).split("\n").length;
}

/** One array element per line, so lines can be found by text. */
function pretty(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

describe("loadDag: accepted shapes", () => {
  it("reads a cursus shared-DAG file (dag.nodes/edges + metadata), keeping declared order", () => {
    const file = write(
      pretty({
        dag: {
          description: "three steps",
          nodes: ["c", "a", "b"],
          edges: [
            ["c", "a"],
            ["a", "b"],
          ],
        },
        metadata: { name: "x", node_count: 3 },
      }),
    );
    expect(loadDag(file)).toEqual({
      nodes: ["c", "a", "b"],
      edges: [
        ["c", "a"],
        ["a", "b"],
      ],
      file,
      description: "three steps",
    });
  });

  it.each(["1.0.0", "1.2", 1])("reads the serializer format with version %s", (version) => {
    const file = write(
      pretty({
        version,
        created_at: "2025-01-01T00:00:00Z",
        metadata: {},
        dag: { nodes: ["a", "b"], edges: [["a", "b"]] },
        statistics: { node_count: 2, edge_count: 1, has_cycles: false },
      }),
    );
    expect(loadDag(file).nodes).toEqual(["a", "b"]);
  });

  it.each(["2.0", "2.0.0", "10.0.0", "0.9"])("rejects serializer version %s at its line", (version) => {
    const text = pretty({ version, dag: { nodes: ["a"], edges: [] } });
    const error = rejection(() => loadDag(write(text)));
    expect(error.code).toBe("DAGTEST_DAG_INVALID");
    expect(error.message).toContain(version);
    expect(error.location?.line).toBe(lineOf(text, '"version"'));
  });

  it("reads plain JSON {nodes, edges}, edges as pairs or {from, to}", () => {
    const file = write(pretty({ nodes: ["a", "b", "c"], edges: [["a", "b"], { from: "b", to: "c" }] }));
    const dag = loadDag(file);
    expect(dag.edges).toEqual([
      ["a", "b"],
      ["b", "c"],
    ]);
    expect(dag.description).toBeNull();
  });

  it("reads plain YAML, and a missing edges list means no edges", () => {
    expect(loadDag(write("nodes: [a, b]\nedges:\n  - [a, b]\n", ".yaml")).edges).toEqual([["a", "b"]]);
    expect(loadDag(write("nodes:\n  - lonely\n", ".yml")).edges).toEqual([]);
  });

  it("allows dots, dashes and underscores in names", () => {
    expect(loadDag(write(pretty({ nodes: ["Step-1.v2", "step_2"], edges: [] }))).nodes).toHaveLength(2);
  });
});

describe("loadDag: errors carry a code, the file and the line", () => {
  it("malformed JSON (a trailing comma) → DAGTEST_PARSE_ERROR at the offending line", () => {
    const text = '{\n  "nodes": [\n    "a",\n    "b",\n  ],\n  "edges": []\n}\n';
    const file = write(text);
    const error = rejection(() => loadDag(file));
    expect(error.code).toBe("DAGTEST_PARSE_ERROR");
    expect(error.location).toMatchObject({ file, line: lineOf(text, "],") });
    expect(error.message).not.toContain("\n");
    expect(error.hint).toMatch(/trailing comma/);
  });

  it("malformed JSON (a missing comma) → the line of the next value", () => {
    const text = '{\n  "nodes": ["a"]\n  "edges": []\n}\n';
    const error = rejection(() => loadDag(write(text)));
    expect(error.code).toBe("DAGTEST_PARSE_ERROR");
    expect(error.location?.line).toBe(lineOf(text, '"edges"'));
  });

  it("malformed YAML → DAGTEST_PARSE_ERROR at the offending line", () => {
    const text = "nodes:\n  - a\n  - b\nedges:\n  - [a, b]\n   - [b, c]\n";
    const file = write(text, ".yaml");
    const error = rejection(() => loadDag(file));
    expect(error.code).toBe("DAGTEST_PARSE_ERROR");
    expect(error.location).toMatchObject({ file, line: lineOf(text, "   - [b, c]") });
  });

  it("a node declared twice → DAGTEST_DUPLICATE_NODE at the second entry", () => {
    const text = pretty({ dag: { nodes: ["a", "b", "a"], edges: [] } });
    const error = rejection(() => loadDag(write(text)));
    expect(error.code).toBe("DAGTEST_DUPLICATE_NODE");
    expect(error.message).toContain('"a"');
    expect(error.location?.line).toBe(lineOf(text, '"a"', 1));
  });

  it("an edge to an undeclared node → DAGTEST_UNKNOWN_EDGE_NODE with a did-you-mean, at the edge", () => {
    const text = pretty({
      dag: {
        nodes: ["TabularPreprocessing_training", "XGBoostTraining"],
        edges: [["TabularPreprocesing_training", "XGBoostTraining"]],
      },
    });
    const error = rejection(() => loadDag(write(text)));
    expect(error.code).toBe("DAGTEST_UNKNOWN_EDGE_NODE");
    expect(error.message).toContain('"TabularPreprocesing_training", which is not a declared node');
    expect(error.message).toContain('Did you mean "TabularPreprocessing_training"?');
    expect(error.location?.line).toBe(lineOf(text, '"TabularPreprocesing_training"'));
  });

  it("names no suggestion when nothing is close", () => {
    const error = rejection(() => loadDag(write(pretty({ nodes: ["alpha"], edges: [["alpha", "zzz"]] }))));
    expect(error.code).toBe("DAGTEST_UNKNOWN_EDGE_NODE");
    expect(error.message).not.toContain("Did you mean");
  });

  it("a cycle → DAGTEST_CYCLE printed as a closed path, located at an edge on it", () => {
    const text = [
      "{",
      '  "nodes": ["start", "a", "b"],',
      '  "edges": [',
      '    ["start", "a"],',
      '    ["a", "b"],',
      '    ["b", "a"]',
      "  ]",
      "}",
    ].join("\n");
    const error = rejection(() => loadDag(write(text)));
    expect(error.code).toBe("DAGTEST_CYCLE");
    expect(error.message).toContain("cycle: a → b → a.");
    // The location is the first edge of the reported path, a → b.
    expect(error.location?.line).toBe(lineOf(text, '["a", "b"]'));
  });

  it("an empty DAG → DAGTEST_DAG_EMPTY", () => {
    const error = rejection(() => loadDag(write(pretty({ dag: { nodes: [], edges: [] } }))));
    expect(error.code).toBe("DAGTEST_DAG_EMPTY");
  });

  it.each([
    ["a file with no nodes at all", { metadata: {} }],
    ["nodes that are not a list", { nodes: "a,b" }],
    ["a node that is not a string", { nodes: ["a", 3] }],
    ["an edge that is not a pair", { nodes: ["a", "b"], edges: [["a", "b", "c"]] }],
    ["a top level that is not an object", ["a", "b"]],
  ])("%s → DAGTEST_DAG_INVALID with a hint", (_what, value) => {
    const error = rejection(() => loadDag(write(pretty(value))));
    expect(error.code).toBe("DAGTEST_DAG_INVALID");
    expect(error.hint).toMatch(/nodes/);
  });

  it.each(["data/raw", "data\\raw", "..", "up..and", "a\u0007b", "."])(
    "refuses the node name %j (it must be a folder name) at its line",
    (name) => {
      const text = pretty({ nodes: ["ok", name], edges: [] });
      const error = rejection(() => loadDag(write(text)));
      expect(error.code).toBe("DAGTEST_BAD_NODE_NAME");
      expect(error.location?.line).toBe(lineOf(text, JSON.stringify(name)));
    },
  );

  it("a missing file → DAGTEST_FILE_NOT_FOUND; a folder → DAGTEST_FILE_UNREADABLE", () => {
    expect(rejection(() => loadDag(path.join(dir, "nope.json"))).code).toBe("DAGTEST_FILE_NOT_FOUND");
    expect(rejection(() => loadDag(dir)).code).toBe("DAGTEST_FILE_UNREADABLE");
  });
});

describe("checkNodeName", () => {
  it("accepts ordinary step names and rejects path-like ones", () => {
    expect(() => checkNodeName("CradleDataLoading_training")).not.toThrow();
    expect(() => checkNodeName("a/b")).toThrow(DagtestError);
  });
});
