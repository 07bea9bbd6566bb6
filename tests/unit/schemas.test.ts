/**
 * The JSON Schemas shipped in schema/ must be exactly what the sources generate, and must accept
 * what dagtest itself writes: the example's dagtest.yaml and a real plan.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  generatePlanSchema,
  generateServeProtocolSchema,
  generateSpecSchema,
} from "../../scripts/schemas.js";
import { loadSpecProject } from "../../src/config/project.js";
import { planProject } from "../../src/plan/build.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const committed = (name: string) =>
  JSON.parse(readFileSync(path.join(root, "schema", name), "utf8")) as object;

describe("schema/dagtest.schema.json", () => {
  it("is what src/config/spec-schema.ts generates (run `npm run gen:schema` after changing it)", () => {
    expect(committed("dagtest.schema.json")).toEqual(generateSpecSchema());
  });

  it("accepts the bundled example's dagtest.yaml and rejects an unknown field", () => {
    const validate = new Ajv2020({ strict: false }).compile(committed("dagtest.schema.json"));
    const example = parse(readFileSync(path.join(root, "examples/tabular/dagtest.yaml"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...example, colour: "blue" })).toBe(false);
    expect(validate({ ...example, version: 2 })).toBe(false);
  });
});

describe("schema/plan.schema.json", () => {
  it("is what src/model/plan.ts generates (run `npm run gen:schema` after changing it)", () => {
    expect(committed("plan.schema.json")).toEqual(generatePlanSchema(root));
  }, 30_000);

  it("accepts the plan of the bundled example, through a JSON round trip", async () => {
    const plan = await planProject(loadSpecProject(path.join(root, "examples/tabular/dagtest.yaml")));
    const validate = new Ajv({ strict: false, allowUnionTypes: true }).compile(committed("plan.schema.json"));
    const json = JSON.parse(JSON.stringify(plan)) as unknown;
    expect(validate(json), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(validate({ ...(json as object), planVersion: 2 })).toBe(false);
  });
});

describe("schema/serve-protocol.schema.json", () => {
  it("is what src/serve/protocol.ts generates (run `npm run gen:schema` after changing it)", () => {
    expect(committed("serve-protocol.schema.json")).toEqual(generateServeProtocolSchema(root));
  }, 30_000);
});
