/**
 * Writes the JSON Schemas shipped in schema/: dagtest.yaml's (from the zod schema) and the plan
 * JSON's (from the TypeScript types in src/model/plan.ts). `npm run gen:schema` rewrites them;
 * tests/unit/schemas.test.ts fails when a committed file differs from what this generates.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generatePlanSchema, generateServeProtocolSchema, generateSpecSchema } from "./schemas.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
writeFileSync(
  path.join(root, "schema/dagtest.schema.json"),
  `${JSON.stringify(generateSpecSchema(), null, 2)}\n`,
);
writeFileSync(
  path.join(root, "schema/plan.schema.json"),
  `${JSON.stringify(generatePlanSchema(root), null, 2)}\n`,
);
writeFileSync(
  path.join(root, "schema/serve-protocol.schema.json"),
  `${JSON.stringify(generateServeProtocolSchema(root), null, 2)}\n`,
);
console.log(
  "wrote schema/dagtest.schema.json, schema/plan.schema.json and schema/serve-protocol.schema.json",
);
