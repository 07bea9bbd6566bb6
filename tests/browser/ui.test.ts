/**
 * The UI in real Chromium on the bundled example: every node drawn with its state, a phantom's
 * question answered in the form (a bad path shows the factory's message, a good one saves
 * dagtest.yaml), a run whose nodes turn green, a failed node's error frame on a fault fixture,
 * report.html opened from disk with the network cut off, and a snapshot mismatch's differences in
 * report.html. Screenshots: .test-results/ui/.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../src/model/run.js";
import { startUiServer, type UiServer } from "../../src/server/serve.js";
import { drawnStates, launch, newPage, shot } from "../helpers/browser.js";
import { buildCli, cliEnv, cliPath } from "../helpers/cli.js";
import { exampleCopy } from "../helpers/factory.js";
import { removeTempDirs, testPython } from "../helpers/paths.js";
import { fixtureCopy } from "../helpers/ui.js";

let browser: Browser;
const servers: UiServer[] = [];
const errors: string[] = [];

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
  removeTempDirs();
});

async function serve(project: string, extra: Record<string, unknown> = {}): Promise<UiServer> {
  const server = await startUiServer({
    factory: { project, python: testPython(), ...extra },
    host: "127.0.0.1",
    port: 0,
    open: false,
    log: () => {},
  });
  servers.push(server);
  return server;
}

async function open(server: UiServer): Promise<Page> {
  const page = await newPage(browser, errors);
  await page.goto(server.url);
  await page.waitForSelector("body[data-ready='1']");
  return page;
}

async function answer(page: Page, node: string, field: string, value: string): Promise<void> {
  const title = page.locator("[data-testid='node-panel'] h2");
  if ((await title.count()) === 0 || (await title.textContent()) !== node)
    await page.click(`[data-node='${node}']`);
  const input = page.locator(`[data-field='${field}']`);
  await input.fill("");
  await input.pressSequentially(value);
}

describe("dagtest ui on examples/tabular", () => {
  it("draws every node with its state, answers the phantoms' questions in the form, runs, and turns green", async () => {
    const dir = exampleCopy();
    const server = await serve(dir, {
      dag: "pipeline.dag.json",
      config: "pipeline_config/config.json",
      interfaces: ["interfaces"],
      paths: { "dockers/tabular_example": "src" },
    });
    const page = await open(server);
    const states = await drawnStates(page);
    expect(Object.keys(states)).toHaveLength(11);
    expect(states.CradleDataLoading_training).toBe("phantom");
    expect(states.Registration).toBe("phantom");
    expect(states.TabularPreprocessing_training).toBe("not-ready");
    await shot(page, "1-example-plan");

    await answer(page, "CradleDataLoading_training", "outputs.DATA", "data/no-such-folder");
    await expect
      .poll(() => page.locator("[data-testid='form-issues']").textContent())
      .toMatch(/outputs\.DATA: .*no-such-folder/);
    expect(await page.locator("[data-testid='form-save']").isDisabled()).toBe(true);
    await shot(page, "2-bad-path");

    for (const job of ["training", "calibration"]) {
      await answer(page, `CradleDataLoading_${job}`, "outputs.DATA", `data/${job}/data`);
      await answer(page, `CradleDataLoading_${job}`, "outputs.SIGNATURE", `data/${job}/signature`);
      await expect.poll(() => page.locator("[data-testid='form-save']").isDisabled()).toBe(false);
      await page.click("[data-testid='form-save']");
      await expect
        .poll(() => page.locator("[data-testid='flash']").textContent())
        .toMatch(/^saved CradleDataLoading_/);
    }
    expect(readFileSync(path.join(dir, "dagtest.yaml"), "utf8")).toMatch(/DATA: data\/calibration\/data/);
    expect((await drawnStates(page)).TabularPreprocessing_training).toBe("ready");
    await shot(page, "3-answered");

    await page.click("[data-testid='run-all']");
    await shot(page, "4-running");
    await expect
      .poll(async () => Object.values(await drawnStates(page)).filter((s) => s === "passed").length, {
        timeout: 90_000,
        interval: 250,
      })
      .toBe(8)
      .catch(async (error: unknown) => {
        await shot(page, "4-run-failed");
        throw error;
      });
    await page.click("[data-testid='tab-run']");
    await page.waitForSelector("[data-testid='timeline'] .bar");
    await shot(page, "4-run-passed");
    expect(errors).toEqual([]);
  }, 180_000);
});

describe("a failed node, live and in report.html", () => {
  it("shows the error frame of the fault fixture's failed node, and the same from disk with no network", async () => {
    const server = await serve(fixtureCopy("fault"));
    const page = await open(server);
    await page.click("[data-testid='run-all']");
    await expect.poll(async () => (await drawnStates(page)).transform, { timeout: 60_000 }).toBe("failed");
    await expect.poll(async () => (await drawnStates(page)).load).toBe("skipped");
    await page.click("[data-node='transform']");
    await expect
      .poll(() => page.locator("[data-testid='error-frames']").textContent())
      .toMatch(/transform\.py:\d+ in pick_column/);
    await shot(page, "5-fault-live");

    const runs = server.workspace.runs();
    expect(runs).toHaveLength(1);
    const report = path.join(server.workspace.projectDir, ".dagtest", "runs", runs[0]!.runId, "report.html");
    const offline = await newPage(browser, errors);
    const blocked: string[] = [];
    await offline.route("**/*", (route) => {
      if (route.request().url().startsWith("file:")) return route.continue();
      blocked.push(route.request().url());
      return route.abort();
    });
    await offline.goto(`file://${report}`);
    await offline.waitForSelector("body[data-ready='1']");
    expect(await drawnStates(offline)).toEqual({ extract: "passed", transform: "failed", load: "skipped" });
    await offline.click("[data-node='transform']");
    expect(await offline.locator("[data-testid='error-frames']").textContent()).toMatch(
      /transform\.py:\d+ in pick_column/,
    );
    expect(await offline.locator(".log-tail").textContent()).toContain("columns:");
    await shot(offline, "6-fault-report-offline");
    expect(blocked).toEqual([]);

    // A second run: the history lists both, and says what changed (extract now comes from the cache).
    await page.click("[data-testid='run-all']");
    await expect.poll(() => server.workspace.runs().length, { timeout: 60_000 }).toBe(2);
    await page.click("[data-testid='tab-history']");
    await expect.poll(() => page.locator("[data-testid='run-list'] li").count()).toBe(2);
    await page.click("[data-testid='run-diff-button']");
    await expect
      .poll(() => page.locator("[data-testid='run-diff']").textContent())
      .toMatch(/extractpassed.*cached/);
    await shot(page, "7-history-diff");
    expect(errors).toEqual([]);
  });
});

describe("a snapshot mismatch in report.html", () => {
  it("lists every difference from the stored snapshot: where, what, expected, got, tolerance", async () => {
    await buildCli();
    const dir = fixtureCopy("linear");
    // CI unset: the machine running the tests may be a CI runner, where snapshots are never written.
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [cliPath, "run", dir, ...args], {
        env: cliEnv({ CI: "" }),
        encoding: "utf8",
        timeout: 120_000,
      });
    const recorded = run("--update-snapshots");
    expect(recorded.status, recorded.stderr).toBe(0);
    const extract = path.join(dir, "scripts/extract.py");
    writeFileSync(extract, readFileSync(extract, "utf8").replace("3,linus\\n", "3,linus\\n4,alan\\n"));
    const moved = run("--json");
    expect(moved.status, moved.stderr).toBe(1);
    const result = JSON.parse(moved.stdout) as RunResult;
    expect(result.scriptResults.extract?.reason).toBe("snapshot-mismatch");

    const page = await newPage(browser, errors);
    await page.goto(`file://${path.join(result.runDir, "report.html")}`);
    await page.waitForSelector("body[data-ready='1']");
    await page.click("[data-node='extract']");
    const trs = await page.locator("[data-testid='snapshot-diffs'] tbody tr").all();
    const rows = await Promise.all(trs.map((tr) => tr.locator("td").allTextContents()));
    expect(rows).toHaveLength(result.scriptResults.extract!.snapshot!.diffs.length);
    expect(rows[0]).toEqual(["raw/rows.csv#rows", "row count", "3", "4", "±0.000003"]);
    expect(rows).toContainEqual([
      "raw/rows.csv#name.top",
      "most frequent values",
      '[["ada",1],["grace",1],["linus",1]]',
      '[["ada",1],["alan",1],["grace",1],["linus",1]]',
      "exact",
    ]);
    await shot(page, "8-snapshot-diffs-report");
    await page.click("[data-node='load']");
    expect(await page.locator("[data-testid='snapshot-diffs'] tbody tr").allTextContents()).toEqual([
      "report/report.json#/rowsvalue34±0.000003",
    ]);
    expect(errors).toEqual([]);
  }, 180_000);
});
