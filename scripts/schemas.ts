/** Generating the shipped JSON Schemas; shared by the generator script and the test that keeps them honest. */
import path from "node:path";
import { createGenerator } from "ts-json-schema-generator";
import { specJsonSchema } from "../src/config/spec-schema.js";

export function generateSpecSchema(): Record<string, unknown> {
  return specJsonSchema();
}

export function generatePlanSchema(root: string): Record<string, unknown> {
  const generator = createGenerator({
    path: path.join(root, "src/model/plan.ts"),
    tsconfig: path.join(root, "tsconfig.json"),
    type: "Plan",
    expose: "export",
    topRef: true,
    jsDoc: "extended",
    additionalProperties: false,
    skipTypeCheck: true,
  });
  return {
    $id: "https://dagtest.dev/schema/plan.schema.json",
    title: "dagtest plan --json",
    ...(generator.createSchema("Plan") as Record<string, unknown>),
  };
}

/** The engine protocol of `dagtest serve --stdio` (src/serve/protocol.ts), shared with python/dagtest. */
export function generateServeProtocolSchema(root: string): Record<string, unknown> {
  const generator = createGenerator({
    path: path.join(root, "src/serve/protocol.ts"),
    tsconfig: path.join(root, "tsconfig.json"),
    type: "ServeProtocol",
    expose: "export",
    topRef: true,
    jsDoc: "extended",
    additionalProperties: false,
    skipTypeCheck: true,
  });
  return {
    $id: "https://dagtest.dev/schema/serve-protocol.schema.json",
    title: "dagtest serve --stdio",
    ...(generator.createSchema("ServeProtocol") as Record<string, unknown>),
  };
}
