/**
 * `dagtest serve --stdio`, the engine behind the Python package, driven through the built CLI as
 * the Python client drives it: every message it writes is checked against
 * schema/serve-protocol.schema.json, the schema the Python TypedDicts are tested against too.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { copyFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, cliEnv, cliPath } from "../helpers/cli.js";
import { exampleCopy } from "../helpers/factory.js";
import { removeTempDirs, repoRoot } from "../helpers/paths.js";

beforeAll(() => buildCli(), 120_000);
afterAll(removeTempDirs);

const schema = JSON.parse(readFileSync(path.join(repoRoot, "schema/serve-protocol.schema.json"), "utf8")) as {
  definitions: Record<string, unknown>;
};
const ajv = new Ajv({ strict: false, allowUnionTypes: true });
ajv.addSchema(schema, "serve");
const validator = (name: string) => ajv.getSchema(`serve#/definitions/${name}`)!;

type Message = {
  id?: number | null;
  method?: string;
  result?: unknown;
  error?: { code: number; data: { code: string; hint: string } };
  params?: unknown;
};

/** A line-oriented client: `send` returns the response to that id; notifications are collected. */
class Client {
  readonly child: ChildProcessWithoutNullStreams;
  readonly notifications: Message[] = [];
  readonly #waiting = new Map<number, (m: Message) => void>();
  #id = 0;

  constructor(cwd: string) {
    this.child = spawn(process.execPath, [cliPath, "serve", "--stdio"], { cwd, env: cliEnv() });
    createInterface({ input: this.child.stdout }).on("line", (line) => {
      const message = JSON.parse(line) as Message;
      const kind = message.method === "run.event" ? "Notification" : "Response";
      const validate = validator(kind);
      expect(validate(message), `${kind}: ${JSON.stringify(validate.errors?.slice(0, 2))}`).toBe(true);
      if (message.method) this.notifications.push(message);
      else this.#waiting.get(message.id ?? -1)?.(message);
    });
  }

  send(method: string, params: object = {}): Promise<Message> {
    return this.raw(JSON.stringify({ jsonrpc: "2.0", id: ++this.#id, method, params }), this.#id);
  }

  raw(line: string, id: number | null): Promise<Message> {
    return new Promise((resolve) => {
      this.#waiting.set(id ?? -1, resolve);
      this.child.stdin.write(`${line}\n`);
    });
  }

  close(): Promise<number | null> {
    return new Promise((resolve) => {
      this.child.on("exit", (code) => resolve(code));
      this.child.stdin.end();
    });
  }
}

describe("dagtest serve --stdio", () => {
  it("speaks a versioned protocol and refuses another version, bad JSON and unknown methods", async () => {
    const client = new Client(repoRoot);
    const early = await client.send("factory.create", { project: "examples/tabular" });
    expect(early.error?.data.code).toBe("DAGTEST_USAGE");
    const wrong = await client.send("initialize", { protocolVersion: 99 });
    expect(wrong.error?.data.code).toBe("DAGTEST_PROTOCOL_MISMATCH");
    const hello = await client.send("initialize", { protocolVersion: 1 });
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string };
    expect(hello.result).toMatchObject({ protocolVersion: 1, dagtestVersion: pkg.version });
    expect((await client.raw("{not json", null)).error?.code).toBe(-32700);
    expect((await client.send("factory.explode")).error?.code).toBe(-32601);
    expect(await client.close()).toBe(0);
  });

  it("answers the factory API with values of the shared schema, and runs with progress events", async () => {
    const project = exampleCopy();
    copyFileSync(path.join(repoRoot, "examples/tabular/dagtest.yaml"), path.join(project, "dagtest.yaml"));
    const client = new Client(project);
    await client.send("initialize", { protocolVersion: 1 });
    const created = await client.send("factory.create", { project: "." });
    const factoryId = (created.result as { factoryId: number }).factoryId;
    const scripts = (await client.send("factory.scripts", { factoryId })).result as string[];
    expect(scripts).toContain("SklearnTraining");
    const req = await client.send("factory.requirements", { factoryId, name: "SklearnTraining" });
    expect(validator("ScriptTestingRequirements")(req.result)).toBe(true);
    const summary = await client.send("factory.summary", { factoryId });
    expect(validator("FactorySummary")(summary.result)).toBe(true);
    const bad = await client.send("factory.configure", {
      factoryId,
      name: "SklearnTraining",
      config: { env: { NOPE: 1 } },
    });
    expect(bad.error).toMatchObject({ code: 1, data: { code: "DAGTEST_INVALID_CONFIGURATION" } });
    const html = await client.send("html.render", { view: "summary", value: summary.result });
    expect((html.result as { html: string }).html).toContain("SklearnTraining");
    const run = await client.send("factory.execute", { factoryId, concurrency: 2 });
    expect(validator("GuidedTestingResult")(run.result)).toBe(true);
    expect((run.result as { results: { pipelineSuccess: boolean } }).results.pipelineSuccess).toBe(true);
    const types = client.notifications.map((n) => (n.params as { event: { type: string } }).event.type);
    expect(types[0]).toBe("runStart");
    expect(types.at(-1)).toBe("runEnd");
    expect(types.filter((t) => t === "nodeEnd")).toHaveLength(scripts.length);
    expect(await client.close()).toBe(0);
  }, 120_000);
});
