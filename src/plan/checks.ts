/**
 * What the static check and the interpreter say about a script, set against its interface: the
 * builder–script consistency check of the seeds, the frameworks it uses, and environment parity.
 */
import type { ErrorCode } from "../errors.js";
import type { StepInterface } from "../model/interface.js";
import type {
  EnvRequirement,
  JobArgRequirement,
  PackageParity,
  Problem,
  ScriptCheck,
} from "../model/plan.js";
import type { KeyRead, ScriptFacts } from "../model/script-facts.js";
import { satisfies } from "../util/pep440.js";
import { problem } from "./problems.js";

type Described = Extract<ScriptFacts, { ok: true }>;

/** Import name → the framework a user would call it by. */
const FRAMEWORKS: Readonly<Record<string, string>> = {
  pandas: "pandas",
  numpy: "numpy",
  sklearn: "scikit-learn",
  xgboost: "xgboost",
  lightgbm: "lightgbm",
  torch: "pytorch",
  lightning: "pytorch-lightning",
  pytorch_lightning: "pytorch-lightning",
  tensorflow: "tensorflow",
  transformers: "transformers",
  scipy: "scipy",
  pyarrow: "pyarrow",
  onnx: "onnx",
  onnxruntime: "onnx",
  boto3: "boto3",
  matplotlib: "matplotlib",
};

export function summariseCheck(facts: Described): ScriptCheck {
  const keys = (reads: readonly KeyRead[]) => reads.map((r) => r.key);
  return {
    mainParams: facts.main?.params ?? [],
    mainLine: facts.main?.line ?? null,
    imports: [
      ...new Set(
        facts.imports.filter((i) => !i.localPath && !i.module.startsWith(".")).map((i) => topLevel(i.module)),
      ),
    ].sort(),
    modules: [
      ...new Set(facts.imports.filter((i) => !i.localPath && !i.module.startsWith(".")).map((i) => i.module)),
    ].sort(),
    // Every local file the script runs, through its helpers too (the fingerprint hashes these
    // and watch mode watches them), plus the namespace-package folders it imports directly
    // (a folder without __init__.py: no file of its own stands for it).
    localImports: [
      ...new Set([
        ...facts.localClosure,
        ...facts.imports.flatMap((i) => (i.localPath ? [i.localPath] : [])),
      ]),
    ].sort(),
    inputKeys: keys(facts.inputKeys),
    outputKeys: keys(facts.outputKeys),
    envKeys: keys(facts.envKeys),
    jobArgAttrs: keys(facts.jobArgAttrs),
    environConversions: facts.mainPaths?.environ ?? {},
  };
}

export function frameworksOf(check: ScriptCheck | null): string[] {
  if (!check) return [];
  return [...new Set(check.imports.flatMap((m) => (FRAMEWORKS[m] ? [FRAMEWORKS[m]] : [])))].sort();
}

function topLevel(module: string): string {
  return module.split(".")[0]!;
}

/** Warnings where the script and its interface disagree, each naming both sides. */
export function disagreements(
  node: string,
  iface: StepInterface,
  facts: Described,
  env: readonly EnvRequirement[],
  jobArgs: readonly JobArgRequirement[],
  aliases: {
    readonly inputs: Readonly<Record<string, string>>;
    readonly outputs: Readonly<Record<string, string>>;
  },
): Problem[] {
  const out: Problem[] = [];
  const where = (read: KeyRead) => ({ file: facts.path, line: read.line });
  const ifaceName = iface.file.split("/").pop();
  const warn = (code: ErrorCode, message: string, hint: string, read: KeyRead) =>
    out.push(problem("warning", code, message, { node, hint, location: where(read) }));
  const mainPaths = { input: facts.mainPaths?.inputs ?? {}, output: facts.mainPaths?.outputs ?? {} };
  const aliasNote = (kind: "input" | "output", key: string, map: Readonly<Record<string, string>>) =>
    !map[key]
      ? ""
      : mainPaths[kind][key]
        ? ` Its __main__ passes it ${mainPaths[kind][key]}, the container path of "${map[key]}": dagtest passes it that port's folder.`
        : ` dagtest passes it the folder of "${map[key]}", the one declared port the script never reads.`;
  const portChecks = [
    {
      kind: "input",
      code: "DAGTEST_UNDECLARED_INPUT",
      dict: "input_paths",
      declared: iface.inputs,
      reads: facts.inputKeys,
      map: aliases.inputs,
      hint: "Declare the input in the interface (or rename the key in the script).",
    },
    {
      kind: "output",
      code: "DAGTEST_UNDECLARED_OUTPUT",
      dict: "output_paths",
      declared: iface.outputs,
      reads: facts.outputKeys,
      map: aliases.outputs,
      hint: "Declare the output in the interface (or rename the key in the script) so the data flows downstream.",
    },
  ] as const;
  for (const check of portChecks) {
    const declared = new Set(check.declared.map((p) => p.name));
    // `d.get("a", d.get("b"))` with "a" declared (or bound to a port): "b" is only a fallback name.
    const known = (key: string) => declared.has(key) || key in check.map;
    const real = (r: KeyRead) => !declared.has(r.key) && !(r.fallbackFor && known(r.fallbackFor));
    for (const read of check.reads.filter(real)) {
      warn(
        check.code,
        `The script reads ${check.dict}["${read.key}"] (line ${read.line}) but ${ifaceName} declares no ${check.kind} "${read.key}".${aliasNote(check.kind, read.key, check.map)}`,
        check.hint,
        read,
      );
    }
  }
  const provided = new Set(
    env.filter((e) => e.value !== null || e.source?.kind === "engine").map((e) => e.name),
  );
  for (const read of facts.envKeys.filter(
    (r) => !provided.has(r.key) && !env.some((e) => e.name === r.key),
  )) {
    if (INHERITED_ENV.has(read.key)) continue;
    if (CLOUD_ENV.test(read.key)) {
      out.push(
        problem(
          "info",
          "DAGTEST_CLOUD_ENV",
          `The script reads env ${read.key} (line ${read.line}), part of its cloud set-up; offline, the script's own default is harmless.`,
          { node, hint: "Nothing to do: dagtest keeps every script offline.", location: where(read) },
        ),
      );
      continue;
    }
    warn(
      "DAGTEST_UNDECLARED_ENV",
      `The script reads env ${read.key} (line ${read.line}) but ${ifaceName} does not declare it.`,
      `Declare it under env_vars, or set nodes.${node}.env.${read.key} in dagtest.yaml; otherwise the script sees its own default.`,
      read,
    );
  }
  const args = new Set(jobArgs.filter((a) => a.value !== null).map((a) => a.attr));
  for (const read of facts.jobArgAttrs.filter((r) => !args.has(r.key))) {
    warn(
      "DAGTEST_MISSING_JOB_ARG",
      `The script reads job_args.${read.key} (line ${read.line}) but no value is given for it.`,
      `Add job_arguments to the interface, or set nodes.${node}.job_args.${read.key} in dagtest.yaml.`,
      read,
    );
  }
  return out;
}

/**
 * Env vars of a script's cloud set-up (a private package index, AWS credentials), read only when
 * the script would reach the network, which dagtest turns off (OFFLINE_ENV).
 */
const CLOUD_ENV = /^(SECURE_PYPI_|CA_REPOSITORY|CODEARTIFACT_|AWS_)/;

/** Env vars every process has; a script reading them needs no declaration. */
const INHERITED_ENV = new Set(["PATH", "HOME", "USER", "TMPDIR", "PYTHONPATH", "LANG", "PWD"]);

/** Distributions whose import name is not their name, lower-cased and with `_` for `-`. */
const IMPORT_NAMES: Readonly<Record<string, string>> = {
  "scikit-learn": "sklearn",
  pyyaml: "yaml",
  pillow: "PIL",
  beautifulsoup4: "bs4",
  "opencv-python": "cv2",
  "python-dateutil": "dateutil",
  "typing-extensions": "typing_extensions",
};

/** The top-level modules a script imports at module level (they run on import). */
export function moduleLevelImports(facts: Described): Set<string> {
  return new Set(facts.imports.filter((i) => i.toplevel && !i.localPath).map((i) => topLevel(i.module)));
}

function importName(distribution: string): string {
  const name = distribution.toLowerCase();
  return IMPORT_NAMES[name] ?? name.replace(/-/g, "_");
}

/**
 * Each pinned package against what the interpreter has installed. A missing one is an error when
 * the script imports it at module level (or when that is unknown: `imported` null); a pin the
 * script does not import at module level (an interface pinning jinja2 for a script that never
 * imports it) is a warning: the script runs, and fails on its own line if it ever needs it.
 */
export function parityOf(
  node: string,
  iface: StepInterface,
  packages: Readonly<Record<string, string | null>> | null,
  pythonVersion: string | null,
  interpreter = "the interpreter that runs it",
  imported: ReadonlySet<string> | null = null,
): { parity: PackageParity[]; problems: Problem[] } {
  const parity: PackageParity[] = [];
  const problems: Problem[] = [];
  if (!packages) return { parity, problems };
  for (const [name, wanted] of Object.entries(iface.frameworkRequirements)) {
    // `python: ">=3.8"` pins the interpreter itself, not a distribution.
    const installed = name.toLowerCase() === "python" ? pythonVersion : (packages[name] ?? null);
    const satisfied = installed === null ? false : satisfies(installed, wanted);
    parity.push({ package: name, wanted, installed, satisfied });
    if (installed === null) {
      const needed = imported === null || imported.has(importName(name));
      problems.push(
        problem(
          needed ? "error" : "warning",
          "DAGTEST_PACKAGE_MISSING",
          needed
            ? `Node "${node}" needs ${name} ${wanted}, which is not installed in ${interpreter}.`
            : `Node "${node}": the interface pins ${name} ${wanted}, which is not installed in ${interpreter}; the script does not import it at module level, so it runs.`,
          {
            node,
            hint: `Install it (e.g. \`<python> -m pip install "${name}${wanted}"\`), or add it to stub_modules if the script only imports it.`,
          },
        ),
      );
    }
  }
  const differing = parity.filter((p) => p.installed !== null && p.satisfied === false);
  if (differing.length > 0) {
    const list = differing.map((p) => `${p.package} ${p.installed} (pins ${p.wanted})`).join(", ");
    problems.push(
      problem(
        "warning",
        "DAGTEST_PACKAGE_VERSION",
        `Node "${node}": ${differing.length === 1 ? "one installed package differs" : `${differing.length} installed packages differ`} from the interface's pins: ${list}.`,
        {
          node,
          hint: "Results may differ from the cloud container; install the pinned versions to match it.",
        },
      ),
    );
  }
  return { parity, problems };
}

/**
 * Imports this interpreter cannot satisfy, found before anything runs. A module stubbed by the
 * offline guards is fine; anything else fails the script at import time, so it is an error on
 * the node, with the two ways out in the hint.
 */
export function missingImports(
  node: string,
  facts: Described,
  modules: Readonly<Record<string, boolean>> | null,
  stubbed: readonly string[],
  missingPackages: readonly string[] = [],
): Problem[] {
  if (!modules) return [];
  // A framework pin already reported missing says the same thing; say it once.
  const reported = new Set(missingPackages.map((p) => p.toLowerCase()));
  const seen = new Set<string>();
  const out: Problem[] = [];
  // Module-level imports first: they fail the import for sure, so they decide the severity.
  const ordered = [...facts.imports].sort((a, b) => Number(b.toplevel) - Number(a.toplevel));
  for (const item of ordered) {
    if (item.localPath || item.module.startsWith(".")) continue;
    const top = topLevel(item.module);
    if (seen.has(top) || modules[top] !== false || stubbed.includes(top)) continue;
    if (reported.has(top.toLowerCase()) || reported.has((FRAMEWORKS[top] ?? "").toLowerCase())) continue;
    seen.add(top);
    // An import inside a function or under if/try may never run (cursus's xgboost_training
    // imports boto3 only when USE_SECURE_PYPI is true): a warning, the node still runs.
    out.push(
      problem(
        item.toplevel ? "error" : "warning",
        "DAGTEST_IMPORT_MISSING",
        item.toplevel
          ? `The script of "${node}" imports ${top} (line ${item.line}), which the interpreter cannot import.`
          : `The script of "${node}" imports ${top} (line ${item.line}) inside a function or a guarded block; the interpreter cannot import it, so the node fails if that line runs.`,
        {
          node,
          hint: `Install it in the interpreter that runs the scripts, or, if the script only needs it for cloud calls, stub it: run: {guards: {stub_modules: [${top}]}} in dagtest.yaml.`,
          location: { file: facts.path, line: item.line },
        },
      ),
    );
  }
  return out;
}
