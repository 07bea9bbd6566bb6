/**
 * The UI's API on real projects (real Python, temp dirs): the state the page draws, validation
 * on every keystroke with the factory's messages, saving dagtest.yaml with comments kept, a run
 * followed through server-sent events (the UI as one more reporter), history, and the real server.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RunListEntry, RunView, UiState, ValidateResponse } from "../../src/server/api-types.js";
import { startUiServer } from "../../src/server/serve.js";
import { exampleCopy } from "../helpers/factory.js";
import { removeTempDirs, tempDir, testPython, writeTree } from "../helpers/paths.js";
import { fixtureCopy, readEvents, uiRig } from "../helpers/ui.js";

afterAll(removeTempDirs);

const post = (body: unknown) => ({ method: "POST", body: JSON.stringify(body) });

describe("configure through the factory", () => {
  it("shows a phantom's question, validates each keystroke and saves dagtest.yaml keeping comments", async () => {
    const dir = exampleCopy();
    const rig = await uiRig({
      project: dir,
      dag: "pipeline.dag.json",
      config: "pipeline_config/config.json",
      interfaces: ["interfaces"],
      paths: { "dockers/tabular_example": "src" },
    });
    const state = (await (await rig.call("/api/state")).json()) as UiState;
    expect(state.plan.questions.map((q) => q.answerAt)).toContain(
      "nodes.CradleDataLoading_training.outputs.DATA",
    );

    const bad = (await (
      await rig.call(
        "/api/validate",
        post({ node: "CradleDataLoading_training", config: { outputs: { DATA: "data/nope" } } }),
      )
    ).json()) as ValidateResponse;
    expect(bad.issues.map((i) => i.message).join("\n")).toMatch(
      /CradleDataLoading_training: outputs\.DATA: .*data\/nope/,
    );

    const refused = await rig.call(
      "/api/configure",
      post({ node: "CradleDataLoading_training", config: { outputs: { DATA: "data/nope" } } }),
    );
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      "DAGTEST_INVALID_CONFIGURATION",
    );

    const good = { node: "CradleDataLoading_training", config: { outputs: { DATA: "data/training/data" } } };
    expect(((await (await rig.call("/api/validate", post(good))).json()) as ValidateResponse).issues).toEqual(
      [],
    );
    const saved = (await (await rig.call("/api/configure", post(good))).json()) as UiState;
    expect(saved.plan.questions.map((q) => q.answerAt)).not.toContain(
      "nodes.CradleDataLoading_training.outputs.DATA",
    );
    expect(readFileSync(path.join(dir, "dagtest.yaml"), "utf8")).toMatch(
      /CradleDataLoading_training:\s+outputs:\s+DATA: data\/training\/data/,
    );
  });

  it("keeps the comments of a hand-written dagtest.yaml", async () => {
    const rig = await uiRig({ project: fixtureCopy("linear") });
    const response = await rig.call(
      "/api/configure",
      post({ node: "transform", config: { env: { UPPERCASE: "false" } } }),
    );
    expect(response.status).toBe(200);
    const text = readFileSync(path.join(rig.dir, "dagtest.yaml"), "utf8");
    expect(text).toContain("# A → B → C: the simplest chain.");
    expect(text).toMatch(/UPPERCASE: "?false"?/);
  });
});

describe("a run from the UI", () => {
  it("streams the run's events, writes report.html, and lists the run in the history", async () => {
    const rig = await uiRig({ project: fixtureCopy("fault") });
    const stream = await rig.call("/api/events");
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    const seen = readEvents(stream, (e) => e.type === "runEnd");
    expect((await rig.call("/api/run", post({}))).status).toBe(202);
    expect((await rig.call("/api/run", post({}))).status).toBe(400); // one run at a time
    const events = await seen;
    await rig.workspace.settled();
    const types = new Set(events.map((e) => e.type));
    for (const t of ["runStart", "nodeQueued", "nodeStart", "nodeOutput", "nodeEnd", "edgeChecked", "runEnd"])
      expect(types).toContain(t);
    const end = events.at(-1);
    if (end?.type !== "runEnd") throw new Error("no runEnd");
    expect(end.result.scriptResults.transform?.status).toBe("failed");
    expect(end.result.scriptResults.transform?.error?.frames.at(-1)?.function).toBe("pick_column");
    expect(existsSync(path.join(end.result.runDir, "report.html"))).toBe(true);

    const runs = (await (await rig.call("/api/runs")).json()) as RunListEntry[];
    expect(runs.map((r) => r.runId)).toEqual([end.result.runId]);
    const view = (await (await rig.call(`/api/runs/${end.result.runId}`)).json()) as RunView;
    expect(view.result?.scriptResults.load?.status).toBe("skipped");
    expect(view.logTails.transform?.join("\n")).toContain("columns:");
    const state = (await (await rig.call("/api/state")).json()) as UiState;
    expect(state.running).toBe(false);
    expect(state.run?.result?.runId).toBe(end.result.runId);
  });

  it("runs part of the pipeline (--only/--from/--to) and refuses an unknown node", async () => {
    const rig = await uiRig({ project: fixtureCopy("linear") });
    expect((await rig.call("/api/run", post({ to: ["transform"] }))).status).toBe(202);
    await rig.workspace.settled();
    const state = (await (await rig.call("/api/state")).json()) as UiState;
    expect(state.run?.result?.scriptResults.load?.reason).toBe("not-selected");
    expect(state.run?.result?.scriptResults.transform?.status).toBe("passed");
    expect(state.outlook.extract).toMatch(/^will not run: its result is stored/);
    expect(state.outlook.load).toMatch(/^will run: no stored result/);
    const unknown = await rig.call("/api/run", post({ only: ["nope"] }));
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("DAGTEST_UNKNOWN_NODE");
    expect((await rig.call("/api/run", post({ only: [42] }))).status).toBe(400);
    expect(rig.workspace.running).toBe(false);
  });
});

describe("stop", () => {
  it("stops the run going on: the running script is cancelled and the run ends interrupted", async () => {
    const dir = writeTree(tempDir(), {
      "dagtest.yaml":
        "version: 1\npipeline:\n  nodes:\n    slow: {script: slow.py, outputs: [out]}\n    after: {script: slow.py, inputs: [out], outputs: [out2]}\n  edges: [[slow, after]]\n",
      "slow.py":
        "import time\n\ndef main(input_paths, output_paths, environ_vars, job_args):\n    print('sleeping', flush=True)\n    time.sleep(60)\n",
    });
    const rig = await uiRig({ project: dir });
    const seen = readEvents(await rig.call("/api/events"), (e) => e.type === "runEnd");
    const started = Date.now();
    expect((await rig.call("/api/run", post({}))).status).toBe(202);
    await expect
      .poll(() => rig.workspace.live.view()?.logTails.slow?.join("") ?? "", { timeout: 20_000 })
      .toContain("sleeping");
    expect(((await (await rig.call("/api/stop", post({}))).json()) as { stopping: boolean }).stopping).toBe(
      true,
    );
    const events = await seen;
    const end = events.at(-1);
    if (end?.type !== "runEnd") throw new Error("no runEnd");
    expect(end.result.interrupted).toBe(true);
    expect(end.result.scriptResults.slow?.status).toBe("cancelled");
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});

describe("the real server", () => {
  it("binds 127.0.0.1 on a free port, prints one URL with the token, and guards it", async () => {
    const lines: string[] = [];
    const server = await startUiServer({
      factory: { project: fixtureCopy("linear"), python: testPython() },
      host: "127.0.0.1",
      port: 0,
      open: false,
      log: (l) => lines.push(l),
    });
    try {
      expect(lines).toEqual([`dagtest ui: ${server.url}`]);
      const url = new URL(server.url);
      expect(url.hostname).toBe("127.0.0.1");
      expect(url.searchParams.get("token")).toMatch(/^[\w-]{32}$/);
      const page = await fetch(server.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<script>");
      expect((await fetch(`${url.origin}/api/state`)).status).toBe(401);
    } finally {
      await server.close();
    }
  });

  it("warns when asked to serve on another address than loopback", async () => {
    const lines: string[] = [];
    const server = await startUiServer({
      factory: { project: fixtureCopy("linear"), python: testPython() },
      host: "127.0.0.2",
      port: 0,
      open: false,
      log: (l) => lines.push(l),
    });
    await server.close();
    expect(lines[0]).toMatch(/^warning: serving on 127\.0\.0\.2, not loopback/);
  });
});
