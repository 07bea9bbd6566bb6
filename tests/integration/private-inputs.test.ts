/**
 * Private inputs (issue 11, items 1 and 2): a script that writes to its input changes only its
 * own view. The other consumers of the same output still read what the producer wrote, only the
 * mutator is flagged, nothing computed from modified data is cached, and the user's own data
 * (`nodes.<n>.inputs`, a phantom's outputs) is byte-identical after the run. Warm and cold.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { loadSpecProject } from "../../src/config/project.js";
import { runPlan } from "../../src/engine/run.js";
import { ColdExecutor } from "../../src/exec/cold.js";
import type { Executor } from "../../src/exec/types.js";
import { WarmExecutor } from "../../src/exec/warm.js";
import { planProject } from "../../src/plan/build.js";
import { listFiles } from "../../src/util/files.js";
import { cachedRun, statusOf } from "../helpers/cached-run.js";
import { removeTempDirs, tempDir, writeTree } from "../helpers/paths.js";
import { makeProject, script, writeOutput } from "../helpers/run-rig.js";

afterAll(removeTempDirs);

const HUNDRED_ROWS = `a,b\\n${"1,2\\n".repeat(100)}`;

/**
 * prep writes 100 rows; mutator appends one to its input, then leaves a marker; late waits for
 * the marker (so it reads after the append, whatever the order the scheduler picks) and counts.
 */
function sharedOutputProject(): string {
  const marker = path.join(tempDir(), "appended");
  return makeProject({
    nodes: {
      prep: { source: script(writeOutput("data", "rows.csv", HUNDRED_ROWS)), outputs: ["data"] },
      mutator: {
        source: script(
          `open(os.path.join(input_paths["data"], "rows.csv"), "a").write("9,9\\n")\nopen(os.environ["MARKER"], "w").close()\n${writeOutput("out")}`,
        ),
        inputs: ["data"],
        outputs: ["out"],
        env: { MARKER: marker },
      },
      late: {
        source: script(`
deadline = time.time() + 20
while not os.path.exists(os.environ["MARKER"]) and time.time() < deadline:
    time.sleep(0.02)
rows = open(os.path.join(input_paths["data"], "rows.csv")).read().splitlines()[1:]
os.makedirs(output_paths["count"], exist_ok=True)
open(os.path.join(output_paths["count"], "count.txt"), "w").write(str(len(rows)))
if len(rows) != 100:
    raise SystemExit("read %d rows" % len(rows))`),
        inputs: ["data"],
        outputs: ["count"],
        env: { MARKER: marker },
      },
    },
    edges: [
      ["prep", "mutator"],
      ["prep", "late"],
    ],
  });
}

/** Every file under a folder → its bytes (hex). */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [path.relative(dir, f), readFileSync(f, "hex")]));
}

describe.each([
  ["cold", () => new ColdExecutor()],
  ["warm", () => new WarmExecutor()],
] as const)("private inputs (%s)", (_, make) => {
  const withExecutor = async <T>(body: (executor: Executor) => Promise<T>): Promise<T> => {
    const executor = make();
    try {
      return await body(executor);
    } finally {
      await executor.close();
    }
  };

  it("a script that appends to its input changes only its own view; only it is flagged, and it is not cached", async () => {
    const dir = sharedOutputProject();
    await withExecutor(async (executor) => {
      const first = await cachedRun(executor, dir);
      expect(first.scriptResults.mutator).toMatchObject({ status: "failed", reason: "input-modified" });
      expect(statusOf(first, "late")).toBe("passed");
      expect(statusOf(first, "prep")).toBe("passed");
      const produced = readFileSync(path.join(first.scriptResults.prep!.outputs.data!, "rows.csv"), "utf8");
      expect(produced.trim().split("\n")).toHaveLength(101); // header + 100: the producer's folder is intact
      const count = readFileSync(path.join(first.scriptResults.late!.outputs.count!, "count.txt"), "utf8");
      expect(count).toBe("100");
      // The copies are gone once the run has ended (removed off the node's path), but the
      // modified one is kept as evidence.
      expect(existsSync(path.join(first.runDir, "late", "in"))).toBe(false);
      expect(existsSync(path.join(first.runDir, "mutator", "in", "data"))).toBe(true);
      // A rerun: the readers of intact data come from the cache, the mutator runs (and fails) again.
      const second = await cachedRun(executor, dir);
      expect(statusOf(second, "prep")).toBe("cached");
      expect(statusOf(second, "late")).toBe("cached");
      expect(second.scriptResults.mutator).toMatchObject({ status: "failed", reason: "input-modified" });
    });
  });

  it("never writes the user's data: nodes.<n>.inputs and a phantom's outputs stay byte-identical", async () => {
    const data = { "part.csv": "a,b\n1,2\n", "nested/more.csv": "a,b\n3,4\n" };
    const mutate = `
for root, _, files in os.walk(input_paths["raw"]):
    for name in files:
        open(os.path.join(root, name), "a").write("5,6\\n")
os.remove(os.path.join(input_paths["raw"], "part.csv"))
open(os.path.join(input_paths["raw"], "new.csv"), "w").write("x\\n")
${writeOutput("out")}`;
    const dir = makeProject({
      nodes: {
        source: { source: script(writeOutput("raw")), outputs: ["raw"] },
        fromUser: { source: script(mutate), inputs: ["raw"], outputs: ["out"] },
        fromPhantom: { source: script(mutate), inputs: ["raw"], outputs: ["out"] },
      },
      edges: [["source", "fromPhantom"]],
      data: { fromUser: { raw: data } },
    });
    // `source` becomes a phantom whose output is the user's folder `data/phantom/raw`.
    const specFile = path.join(dir, "dagtest.yaml");
    const spec = parse(readFileSync(specFile, "utf8")) as { nodes?: Record<string, unknown> };
    spec.nodes = { ...spec.nodes, source: { skip: true, outputs: { raw: "data/phantom/raw" } } };
    writeFileSync(specFile, stringify(spec));
    const userDirs = [path.join(dir, "data/fromUser/raw"), path.join(dir, "data/phantom/raw")];
    writeTree(userDirs[1]!, data);
    const before = userDirs.map(snapshot);
    const result = await withExecutor((executor) => cachedRun(executor, dir, { cache: false }));
    expect(result.scriptResults.fromUser).toMatchObject({ status: "failed", reason: "input-modified" });
    expect(result.scriptResults.fromPhantom).toMatchObject({ status: "failed", reason: "input-modified" });
    expect(result.scriptResults.fromUser?.checks).toEqual(["modified its input(s) raw"]);
    expect(userDirs.map(snapshot)).toEqual(before);
  });
});

describe("an input that cannot be copied", () => {
  it("fails its node as not-ready, naming the input, and the other nodes still run", async () => {
    const dir = makeProject({
      nodes: {
        blocked: { source: script(writeOutput("out")), inputs: ["raw"], outputs: ["out"] },
        free: { source: script(writeOutput("out")), outputs: ["out"] },
      },
      data: { blocked: { raw: { "part.csv": "a\n1\n" } } },
    });
    // Where the view would go is taken by a file: the copy fails as a full disk or a permission would.
    const runId = "20260101-000000-copy";
    const nodeDir = path.join(dir, ".dagtest", "runs", runId, "blocked");
    mkdirSync(nodeDir, { recursive: true });
    writeFileSync(path.join(nodeDir, "in"), "");
    const project = loadSpecProject(path.join(dir, "dagtest.yaml"));
    const executor = new ColdExecutor();
    const result = await runPlan(await planProject(project), {
      executor,
      stateDir: dir,
      python: project.python,
      runId,
    });
    expect(result.scriptResults.blocked).toMatchObject({ status: "failed", reason: "not-ready" });
    expect(result.scriptResults.blocked?.message).toContain("data/blocked/raw could not be copied");
    expect(result.scriptResults.free?.status).toBe("passed");
  });
});
