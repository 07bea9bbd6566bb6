/**
 * Loading a project, for the library and the tests: the dagtest.yaml schema is loaded with this
 * module, so `loadSpecProject` and `loadDirectProject` validate synchronously. The CLI imports
 * `project-load.ts` instead and loads the schema only when a spec's text was not validated before
 * (spec-schema-ref.ts): that keeps the schema library off an unchanged rerun's start-up.
 */
import "./spec-schema.js";

export * from "./project-load.js";
