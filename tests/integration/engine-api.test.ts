/**
 * The engine's seams through the public library API (src/index.ts): a node whose stages throw
 * becomes an `internal-error` result and the run goes on; a reporter that throws never stops a
 * run; a script's printed lines reach reporters as `nodeOutput` events while it runs; the CLI
 * and the factory run a project the same way (one run session).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ColdExecutor,
  createExecutor,
  createRunSession,
  createTestingFactory,
  type Executor,
  loadSpecProject,
  planProject,
  type Reporter,
  type RunEvent,
  type RunResult,
} from "../../src/index.js";
import { buildCli, cliEnv, cliPath } from "../helpers/cli.js";
import { removeTempDirs, tempDir } from "../helpers/paths.js";
import { makeProject, type RigSpec, script, writeOutput } from "../helpers/run-rig.js";

afterAll(removeTempDirs);

const twoBranches: RigSpec = {
  nodes: {
    bad: { source: script(writeOutput("out")), outputs: ["out"] },
    good: { source: script(writeOutput("out")), outputs: ["out"] },
    after_bad: { source: script(writeOutput("out")), inputs: ["x"], outputs: ["out"] },
  },
  edges: [["bad", "after_bad"]],
};

async function runWith(dir: string, executor: Executor, reporters: Reporter[]): Promise<RunResult> {
  const project = loadSpecProject(path.join(dir, "dagtest.yaml"));
  const session = createRunSession({ project, executor, reporters, cache: false, concurrency: 2 });
  try {
    return await session.run(await planProject(project));
  } finally {
    await session.close();
  }
}

class Recorder implements Reporter {
  readonly events: RunEvent[] = [];
  onEvent(event: RunEvent): void {
    this.events.push(event);
  }
}

describe("the engine through the library API", () => {
  it("turns a custom executor that throws into an internal-error result, and the run completes", async () => {
    const cold = new ColdExecutor();
    const throwing: Executor = {
      name: "throws-for-bad",
      run: (request) => {
        if (request.job.node === "bad") throw new Error("the executor exploded");
        return cold.run(request);
      },
      close: () => cold.close(),
    };
    const recorder = new Recorder();
    const dir = makeProject(twoBranches);
    const result = await runWith(dir, throwing, [recorder]);
    const bad = result.scriptResults.bad!;
    expect(bad.status).toBe("failed");
    expect(bad.reason).toBe("internal-error");
    expect(bad.message).toContain("the executor exploded");
    expect(bad.internalError?.stage).toBe("execute");
    expect(bad.internalError?.stack).toContain("the executor exploded");
    expect(result.scriptResults.good?.status).toBe("passed");
    expect(result.scriptResults.after_bad?.reason).toBe("upstream-failed");
    // The stack is in run.json, and reporters heard about it.
    const record = JSON.parse(readFileSync(path.join(result.runDir, "run.json"), "utf8")) as {
      result: RunResult;
    };
    expect(record.result.scriptResults.bad?.internalError?.stack).toContain("the executor exploded");
    const ends = recorder.events.flatMap((e) => (e.type === "nodeEnd" ? [e.result] : []));
    expect(ends.find((r) => r.node === "bad")?.reason).toBe("internal-error");
    expect(recorder.events.at(-1)?.type).toBe("runEnd");
  });

  it("keeps running when a reporter throws, and says so once", async () => {
    let calls = 0;
    const throwing: Reporter = {
      onEvent() {
        calls++;
        throw new Error("reporter bug");
      },
    };
    const rejecting: Reporter = { onEvent: async () => Promise.reject(new Error("async reporter bug")) };
    const recorder = new Recorder();
    const result = await runWith(makeProject(twoBranches), new ColdExecutor(), [
      throwing,
      rejecting,
      recorder,
    ]);
    expect(result.pipelineSuccess).toBe(true);
    expect(calls).toBeGreaterThan(3); // it still gets every event
    const notices = recorder.events.flatMap((e) => (e.type === "notice" ? [e.message] : []));
    expect(notices.filter((m) => m.endsWith(": reporter bug"))).toHaveLength(1);
    expect(notices.filter((m) => m.endsWith(": async reporter bug"))).toHaveLength(1);
    expect(recorder.events.at(-1)?.type).toBe("runEnd");
  });

  it.each([
    ["a cold process", () => new ColdExecutor()],
    ["the warm fork server", () => createExecutor()],
  ])("streams a script's printed lines as nodeOutput events while it runs, from %s", async (_, make) => {
    const go = path.join(tempDir(), "go");
    const body = `
print("waiting for the test", flush=True)
sys.stderr.write("on stderr\\n")
sys.stderr.flush()
deadline = time.time() + 20
while not os.path.exists(os.environ["GO_FILE"]):
    if time.time() > deadline:
        raise SystemExit("the nodeOutput event never came")
    time.sleep(0.02)
${writeOutput("out")}`;
    const dir = makeProject({
      nodes: { talker: { source: script(body), outputs: ["out"], env: { GO_FILE: go } } },
    });
    const seen: { stream: string; line: string; ended: boolean }[] = [];
    let ended = false;
    const releaser: Reporter = {
      onEvent(event) {
        if (event.type === "nodeEnd") ended = true;
        if (event.type !== "nodeOutput") return;
        for (const line of event.lines) seen.push({ stream: event.stream, line, ended });
        if (event.lines.includes("waiting for the test")) writeFileSync(go, "");
      },
    };
    const executor = make();
    const result = await runWith(dir, executor, [releaser]).finally(() => executor.close());
    expect(result.scriptResults.talker?.status).toBe("passed");
    expect(seen).toContainEqual({ stream: "stdout", line: "waiting for the test", ended: false });
    expect(seen).toContainEqual({ stream: "stderr", line: "on stderr", ended: false });
    expect(existsSync(go)).toBe(true);
  });
});

describe("the CLI and the factory", () => {
  beforeAll(buildCli, 120_000);

  it("produce the same run for the same project", async () => {
    const spec: RigSpec = {
      nodes: {
        prep: { source: script(writeOutput("data", "rows.csv", "a,b\\n1,2\\n3,4\\n")), outputs: ["data"] },
        train: { source: script(writeOutput("model")), inputs: ["data"], outputs: ["model"] },
        broken: { source: script('raise ValueError("no")'), outputs: ["x"] },
      },
      edges: [["prep", "train"]],
    };
    const viaCli = makeProject(spec);
    const cli = spawnSync(process.execPath, [cliPath, "run", viaCli, "--json", "--no-cache"], {
      encoding: "utf8",
      env: cliEnv(),
    });
    expect(cli.status, cli.stderr).toBe(1);
    const fromCli = JSON.parse(cli.stdout) as RunResult;
    const viaFactory = makeProject(spec);
    const factory = await createTestingFactory({ project: viaFactory });
    const fromFactory = factory.compileDagToScriptExecution();
    const result = await fromFactory.execute();
    expect(comparable(result, viaFactory)).toEqual(comparable(fromCli, viaCli));
  });
});

/** What must be equal between two runs of copies of one project: everything but times, ids and folders. */
function comparable(result: RunResult, dir: string) {
  const rel = (p: string) => path.relative(dir, p).replace(/runs\/[^/]+\//, "runs/<id>/");
  return {
    pipelineSuccess: result.pipelineSuccess,
    summary: result.summary,
    executionOrder: [...result.executionOrder].sort(),
    nodes: Object.values(result.scriptResults).map((r) => ({
      node: r.node,
      status: r.status,
      reason: r.reason,
      message: r.message.replace(dir, "<dir>"),
      checks: r.checks,
      executor: r.executor,
      outputs: Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, rel(v)])),
      frames: r.error?.frames.map((f) => `${rel(f.file)}:${f.line}`) ?? null,
    })),
    flows: result.dataFlowResults.map((f) => ({ ...f, path: rel(f.path) })),
  };
}
