/** `createTestingFactory`: load (or start) a dagtest.yaml, plan once, and hand back the factory. */
import path from "node:path";
import { projectFromSpec } from "../config/project.js";
import { parseSpecText, SPEC_FILE_NAME } from "../config/spec.js";
import { DagtestError } from "../errors.js";
import { analyseNodes } from "../plan/analyse.js";
import { gatherFacts, rememberedFacts } from "../plan/facts.js";
import { TestingFactory } from "./factory.js";
import { SpecDocument } from "./spec-document.js";

export interface FactoryOptions {
  /** The folder of the test project: dagtest.yaml and `.dagtest/` live here (default: the cwd). */
  readonly project?: string;
  /** The spec file (default `<project>/dagtest.yaml`); loaded when it exists, created on save otherwise. */
  readonly spec?: string;
  /** The pipeline DAG, when starting a new spec. */
  readonly dag?: string;
  readonly config?: string;
  readonly interfaces?: readonly string[];
  readonly scripts?: readonly string[];
  /** Config source-dir prefix → local folder (dagtest.yaml `paths:`). */
  readonly paths?: Readonly<Record<string, string>>;
  readonly projectRoot?: string;
  readonly python?: string;
  /**
   * Edits of any dagtest.yaml key (`run.guards.stub_modules`, `nodes.X.skip`), applied to the
   * document before it is validated as a whole; saved with it.
   */
  readonly settings?: readonly SpecSetting[];
}

/** One edit of dagtest.yaml: the key as written (`run.timeout`), its path, and the value. */
export interface SpecSetting {
  readonly key: string;
  readonly at: readonly string[];
  readonly value: unknown;
}

/**
 * @example
 * const factory = await createTestingFactory({ dag: "pipeline.dag.json", config: "config.json", interfaces: ["interfaces"], project: "." });
 * factory.getScriptsRequiringTesting(); // ["TabularPreprocessing_training", ...]
 */
export async function createTestingFactory(options: FactoryOptions = {}): Promise<TestingFactory> {
  const projectDir = path.resolve(options.project ?? ".");
  const file = path.resolve(projectDir, options.spec ?? SPEC_FILE_NAME);
  // Lazily: the initial spec is only needed (and `dag` only required) when there is no file yet.
  const document = SpecDocument.open(file, () => initialSpec(file, projectDir, options));
  for (const setting of options.settings ?? []) document.setPath(setting.at, setting.value);
  const loaded = parseWithSettings(file, document.text(), options.settings ?? []);
  if (!loaded.spec.dag && !loaded.spec.pipeline) {
    throw new DagtestError({
      code: "DAGTEST_USAGE",
      message: `${file} names no pipeline, and no dag was given.`,
      hint: "Pass { dag: 'pipeline.dag.json', config: 'config.json', interfaces: [...] } to createTestingFactory.",
    });
  }
  const project = projectFromSpec(loaded, { python: options.python });
  const facts = await gatherFacts(project, analyseNodes(project), rememberedFacts(project));
  return new TestingFactory(project, facts, document);
}

/** The spec validated as a whole; a problem caused by a setting names the keys that were set. */
function parseWithSettings(file: string, text: string, settings: readonly SpecSetting[]) {
  try {
    return parseSpecText(file, text);
  } catch (error) {
    if (!(error instanceof DagtestError) || settings.length === 0) throw error;
    throw new DagtestError({
      code: error.code,
      message: `${error.message}\n  (after setting ${settings.map((s) => s.key).join(", ")})`,
      hint: error.hint,
      location: error.location,
    });
  }
}

function initialSpec(file: string, projectDir: string, options: FactoryOptions): Record<string, unknown> {
  if (!options.dag) {
    throw new DagtestError({
      code: "DAGTEST_SPEC_NOT_FOUND",
      message: `There is no ${path.basename(file)} in ${path.dirname(file)}, and no dag was given to start one.`,
      hint: "Pass { dag, config, interfaces } to createTestingFactory, or run `dagtest init --dag FILE`.",
    });
  }
  const rel = (p: string) => path.relative(path.dirname(file), path.resolve(projectDir, p)) || ".";
  return {
    version: 1,
    dag: rel(options.dag),
    ...(options.config ? { config: rel(options.config) } : {}),
    ...(options.interfaces?.length ? { interfaces: options.interfaces.map(rel) } : {}),
    ...(options.scripts?.length ? { scripts: options.scripts.map(rel) } : {}),
    ...(options.projectRoot ? { project_root: rel(options.projectRoot) } : {}),
    ...(options.paths
      ? { paths: Object.fromEntries(Object.entries(options.paths).map(([k, v]) => [k, rel(v)])) }
      : {}),
    ...(options.python ? { python: options.python } : {}),
  };
}
