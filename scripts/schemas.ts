/** Generating the shipped JSON Schemas; shared by the generator script and the test that keeps them honest. */
import path from "node:path";
import { createGenerator } from "ts-json-schema-generator";
import { specJsonSchema } from "../src/config/spec-schema.js";

export function generateSpecSchema(): Record<string, unknown> {
  return specJsonSchema();
}

/** The JSON Schema of one exported TypeScript type, with its `$id` and title. */
function typeSchema(
  root: string,
  file: string,
  type: string,
  id: string,
  title: string,
): Record<string, unknown> {
  const generator = createGenerator({
    path: path.join(root, file),
    tsconfig: path.join(root, "tsconfig.json"),
    type,
    expose: "export",
    topRef: true,
    jsDoc: "extended",
    additionalProperties: false,
    skipTypeCheck: true,
  });
  return {
    $id: `https://dagtest.dev/schema/${id}`,
    title,
    ...(generator.createSchema(type) as Record<string, unknown>),
  };
}

export function generatePlanSchema(root: string): Record<string, unknown> {
  return typeSchema(root, "src/model/plan.ts", "Plan", "plan.schema.json", "dagtest plan --json");
}

/** The engine protocol of `dagtest serve --stdio` (src/serve/protocol.ts), shared with python/dagtest. */
export function generateServeProtocolSchema(root: string): Record<string, unknown> {
  return typeSchema(
    root,
    "src/serve/protocol.ts",
    "ServeProtocol",
    "serve-protocol.schema.json",
    "dagtest serve --stdio",
  );
}
