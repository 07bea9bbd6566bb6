/**
 * Every security rule of the UI server, through `app.request()` (no port): the token on every
 * route (constant-time compare), the Host check (DNS rebinding), Origin and Sec-Fetch-Site
 * (cross-site requests), actions only with the token in a header, nothing read outside the project.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allowedHosts, tokenMatches } from "../../src/server/auth.js";
import { removeTempDirs } from "../helpers/paths.js";
import { fixtureCopy, HOST, TOKEN, type UiRig, uiRig } from "../helpers/ui.js";

let rig: UiRig;

beforeAll(async () => {
  const dir = fixtureCopy("linear");
  rig = await uiRig({ project: dir });
});
afterAll(removeTempDirs);

const routes: readonly [string, string][] = [
  ["GET", "/"],
  ["GET", "/api/state"],
  ["GET", "/api/runs"],
  ["GET", "/api/events"],
  ["POST", "/api/validate"],
  ["POST", "/api/configure"],
  ["POST", "/api/run"],
  ["POST", "/api/stop"],
];

describe("the token", () => {
  it.each(routes)("is needed on %s %s", async (method, route) => {
    const response = await rig.call(route, { method, headers: { "x-dagtest-token": "" } });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("DAGTEST_UI_TOKEN");
  });

  it("is refused when wrong, even of the same length or one character off", async () => {
    for (const wrong of [TOKEN.replace(/.$/, "X"), `${TOKEN}x`, TOKEN.slice(1), "a"]) {
      expect((await rig.call("/api/state", { headers: { "x-dagtest-token": wrong } })).status).toBe(401);
    }
    expect((await rig.call("/api/state")).status).toBe(200);
  });

  it("is compared without regard to length or content timing (hashes of one length)", () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(`${TOKEN}0`, TOKEN)).toBe(false);
    expect(tokenMatches("", TOKEN)).toBe(false);
    expect(tokenMatches(undefined, TOKEN)).toBe(false);
  });

  it("may be in the URL for the page and the event stream (GET), never for an action", async () => {
    const page = await rig.call(`/?token=${TOKEN}`, { headers: { "x-dagtest-token": "" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    const run = await rig.call(`/api/stop?token=${TOKEN}`, {
      method: "POST",
      headers: { "x-dagtest-token": "" },
    });
    expect(run.status).toBe(401);
  });
});

describe("the Host header (DNS rebinding)", () => {
  it("must name this server, even with the token", async () => {
    for (const host of ["evil.example:4321", "127.0.0.1:80", "127.0.0.1", "localhost.evil.example:4321"]) {
      const response = await rig.call("/api/state", { headers: { host } });
      expect(response.status, host).toBe(403);
    }
    expect((await rig.call("/api/state", { headers: { host: "localhost:4321" } })).status).toBe(200);
  });

  it("allows only loopback names for a loopback server", () => {
    expect(allowedHosts("127.0.0.1", 9)).toEqual(["127.0.0.1:9", "localhost:9"]);
    expect(allowedHosts("::1", 9)).toEqual(["[::1]:9", "localhost:9"]);
    expect(allowedHosts("10.0.0.5", 9)).toEqual(["10.0.0.5:9"]);
  });
});

describe("cross-site requests", () => {
  it("are refused by Origin", async () => {
    const body = JSON.stringify({ node: "transform", config: { env: { UPPERCASE: "false" } } });
    for (const origin of ["http://evil.example", "https://127.0.0.1:4321", "null", "http://127.0.0.1:4322"]) {
      const response = await rig.call("/api/configure", { method: "POST", body, headers: { origin } });
      expect(response.status, origin).toBe(403);
    }
    const same = await rig.call("/api/validate", {
      method: "POST",
      body,
      headers: { origin: `http://${HOST}` },
    });
    expect(same.status).toBe(200);
  });

  it("are refused by Sec-Fetch-Site", async () => {
    const response = await rig.call("/api/state", { headers: { "sec-fetch-site": "cross-site" } });
    expect(response.status).toBe(403);
  });

  it("cannot write dagtest.yaml or start a run without the token", async () => {
    const spec = path.join(rig.dir, "dagtest.yaml");
    const before = readFileSync(spec, "utf8");
    const body = JSON.stringify({ node: "transform", config: { env: { UPPERCASE: "false" } } });
    const configure = await rig.call("/api/configure", {
      method: "POST",
      body,
      headers: { "x-dagtest-token": "" },
    });
    expect(configure.status).toBe(401);
    expect(readFileSync(spec, "utf8")).toBe(before);
    const run = await rig.call("/api/run", {
      method: "POST",
      body: "{}",
      headers: { "x-dagtest-token": "" },
    });
    expect(run.status).toBe(401);
    expect(rig.workspace.running).toBe(false);
  });
});

describe("reads outside the project", () => {
  it("are impossible: a run is read only by an id listed under .dagtest/runs", async () => {
    for (const id of ["..%2F..%2F..%2Fetc%2Fpasswd", "..", "%2Fetc%2Fpasswd", "x%00"]) {
      const response = await rig.call(`/api/runs/${id}`);
      expect(response.status, id).toBe(404);
    }
    expect((await rig.call("/etc/passwd")).status).toBe(404);
    expect((await rig.call("/api/runs/../../dagtest.yaml")).status).toBe(404);
  });

  it("rejects malformed bodies with a code, not a stack", async () => {
    const response = await rig.call("/api/validate", { method: "POST", body: "{not json" });
    expect(response.status).toBe(400);
    const error = ((await response.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("DAGTEST_UI_BAD_REQUEST");
    expect(error.message).not.toMatch(/at .*\.ts/);
  });
});
