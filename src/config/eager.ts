/**
 * Loads the YAML parser and the dagtest.yaml schema now, for code that loads projects
 * synchronously without `withLazyModules` (the library API, the factory, the wizard, the tests).
 */
import * as yaml from "yaml";
import { registerYaml } from "./lazy.js";
import "./spec-schema.js";

registerYaml(yaml);
