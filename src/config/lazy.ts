/**
 * Libraries loaded only when a command needs them. An unchanged rerun reads every parse and the
 * validated spec back from the parse cache, so it needs neither the YAML parser nor the schema
 * library; their code is most of a command's start-up. A load that needs one throws
 * `ModuleNotLoaded`; `withLazyModules` loads it and runs the load again (the CLI), while the
 * library and the long-lived servers load both up front (config/eager.ts).
 */
import type * as YamlModule from "yaml";

export class ModuleNotLoaded extends Error {
  readonly load: () => Promise<void>;

  constructor(what: string, load: () => Promise<void>) {
    super(`${what} is not loaded: run the load under withLazyModules(), or import config/eager.js`);
    this.load = load;
  }
}

/** Run a synchronous load; when it needs a library not yet loaded, load it and run it again. */
export async function withLazyModules<T>(load: () => T): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof ModuleNotLoaded) || attempt >= 4) throw error;
      await error.load();
    }
  }
}

export type Yaml = Pick<typeof YamlModule, "isMap" | "isSeq" | "LineCounter" | "parseDocument">;

let yaml: Yaml | null = null;

export function registerYaml(module: Yaml): void {
  yaml = module;
}

/** The `yaml` parser: for a text not parsed before, and for the line of an error. */
export function yamlOrThrow(): Yaml {
  if (yaml) return yaml;
  throw new ModuleNotLoaded("the YAML parser", async () => {
    // yaml is CommonJS: bundled, its dynamic import has the module as `default` only.
    const loaded = (await import("yaml")) as Yaml & { default?: Yaml };
    registerYaml(loaded.default ?? loaded);
  });
}
