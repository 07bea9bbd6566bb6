/**
 * The bundled example: a throwaway copy, its start files as CLI flags, and a testing factory
 * started on it.
 */
import { cpSync, rmSync } from "node:fs";
import path from "node:path";
import { createTestingFactory, type FactoryOptions } from "../../src/factory/create.js";
import type { TestingFactory } from "../../src/factory/factory.js";
import { repoRoot, tempDir, testPython } from "./paths.js";

export const exampleDir = path.join(repoRoot, "examples/tabular");

/** The example's DAG, config and interfaces as CLI flags, relative to the example's folder. */
export const exampleFileFlags: readonly string[] = [
  "--dag",
  "pipeline.dag.json",
  "--config",
  "pipeline_config/config.json",
  "--interfaces",
  "interfaces",
];

/** A copy of examples/tabular without its dagtest.yaml and run state (a fresh start). */
export function exampleCopy(): string {
  const dir = path.join(tempDir(), "tabular");
  cpSync(exampleDir, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.dagtest`) });
  rmSync(path.join(dir, "dagtest.yaml"), { force: true });
  return dir;
}

/** A factory on an example copy, started from the DAG, the config and the interfaces. */
export function exampleFactory(dir: string, extra: Partial<FactoryOptions> = {}): Promise<TestingFactory> {
  return createTestingFactory({
    project: dir,
    dag: "pipeline.dag.json",
    config: "pipeline_config/config.json",
    interfaces: ["interfaces"],
    paths: { "dockers/tabular_example": "src" },
    python: testPython(),
    ...extra,
  });
}

/** Supply the Cradle phantoms' data, as the example's README says. */
export function supplyCradleData(factory: TestingFactory): void {
  for (const job of ["training", "calibration"]) {
    factory.configureScriptTesting(`CradleDataLoading_${job}`, {
      outputs: { DATA: `data/${job}/data`, SIGNATURE: `data/${job}/signature` },
    });
  }
}
