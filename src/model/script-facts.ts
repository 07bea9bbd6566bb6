import type { EnvConversion } from "./protocol.js";

/**
 * What the Python runner's `describe` mode learns about a script without running it,
 * and what it learns about the interpreter. Mirrors `python/dagtest_runner/describe.py`.
 */

export interface KeyRead {
  readonly key: string;
  readonly line: number;
  /** Read only as the default of another key's read, `d.get("a", d.get("b"))`: "b" falls back for "a". */
  readonly fallbackFor?: string;
}

/** What the script's own `if __name__ == "__main__":` block passes to `main` (container paths). */
export interface MainPaths {
  readonly line: number;
  readonly inputs: Readonly<Record<string, string>>;
  readonly outputs: Readonly<Record<string, string>>;
  /** environ_vars keys that `__main__` converts from the env string before calling `main`. */
  readonly environ: Readonly<Record<string, EnvConversion>>;
}

export interface ImportFact {
  readonly module: string;
  readonly line: number;
  /** Resolved file when the module lives next to the script (a sibling module or package). */
  readonly localPath: string | null;
  /** The statement sits directly at module level, so it runs on import; false inside a function or under if/try/with. */
  readonly toplevel: boolean;
}

export interface MainFact {
  readonly line: number;
  readonly params: readonly string[];
  /** `*args` present: any number of positional arguments is accepted. */
  readonly varArgs: boolean;
}

export type ScriptFacts =
  | {
      readonly ok: true;
      readonly path: string;
      readonly main: MainFact | null;
      /** Null when there is no `__main__` block calling `main` with resolvable path dicts. */
      readonly mainPaths: MainPaths | null;
      readonly inputKeys: readonly KeyRead[];
      readonly outputKeys: readonly KeyRead[];
      readonly envKeys: readonly KeyRead[];
      readonly jobArgAttrs: readonly KeyRead[];
      readonly imports: readonly ImportFact[];
      /**
       * Every local file the script imports, directly or through other local files (a helper
       * importing another helper, a package's `__init__.py` and the submodules imported from it),
       * as sorted absolute paths without the script itself. Found by parsing, never by running;
       * a local file that does not parse is listed but not followed; at most 500 files.
       */
      readonly localClosure: readonly string[];
    }
  | {
      readonly ok: false;
      readonly path: string;
      readonly error: {
        readonly kind: "syntax" | "unreadable" | "not-found";
        readonly message: string;
        readonly line: number | null;
        readonly column: number | null;
      };
    };

export interface InterpreterFacts {
  readonly executable: string;
  readonly version: string;
  readonly implementation: string;
}

/** Result of one `describe` request. */
export interface DescribeResult {
  readonly protocolVersion: 1;
  readonly python: InterpreterFacts;
  readonly scripts: Readonly<Record<string, ScriptFacts>>;
  /** Distribution name → installed version, or null when not installed. */
  readonly packages: Readonly<Record<string, string | null>>;
  /** Every top-level module the scripts import (not local ones) → importable by this interpreter. */
  readonly modules: Readonly<Record<string, boolean>>;
  /**
   * The folders whose listings decided which imports are local (and so every `localClosure`),
   * existing or not: the result stays valid while their listings and the listed files do not change.
   */
  readonly listedFolders: readonly string[];
}
