/**
 * Loading a project, for the library and the tests: the YAML parser and the dagtest.yaml schema
 * are loaded with this module, so `loadSpecProject` and `loadDirectProject` work synchronously.
 * The CLI imports `project-load.ts` instead and loads them only when a text was not parsed or
 * validated before (lazy.ts): that keeps both libraries off an unchanged rerun's start-up.
 */
import "./eager.js";

export * from "./project-load.js";
