/**
 * `dagtest init [PATH]`: make (or refine) dagtest.yaml, asking only what cannot be derived. In a
 * terminal it is a wizard; without one (or with --yes) it applies --answers/--set and, when
 * something is still missing, fails listing every missing key without writing anything.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { DagtestError } from "../../errors.js";
import { createTestingFactory } from "../../factory/create.js";
import type { TestingFactory } from "../../factory/factory.js";
import { maxOf } from "../../util/arrays.js";
import type { CommandResult } from "../result.js";
import {
  answersError,
  applyAnswers,
  checkAnswers,
  parseSetFlag,
  readAnswersFile,
  remainingMissing,
  splitSettings,
} from "../wizard/answers.js";
import { runWizard } from "../wizard/interactive.js";
import { type FactoryCliOptions, factoryOptions, specFileOf } from "../wizard/options.js";
import { type WizardQuestion, wizardQuestions } from "../wizard/questions.js";
import { summaryText } from "../wizard/render.js";
import { addProjectOptions } from "./plan.js";

interface InitOptions extends FactoryCliOptions {
  synthesize?: boolean | string;
  answers?: string;
  set?: string[];
  yes?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerInit(program: Command, done: (result: CommandResult) => void): void {
  addProjectOptions(
    program
      .command("init")
      .argument(
        "[path]",
        "the folder for dagtest.yaml (default: the current folder); an existing one is refined",
      )
      .description("write dagtest.yaml, asking only for what no script, interface or config can provide"),
  )
    .option("--path <prefix=dir>", "remap a config source dir prefix to a local folder; repeatable", collect)
    .option(
      "--synthesize [rows]",
      "synthesize the data of every phantom output nobody supplies, from the config (default 500 rows)",
    )
    .option("--answers <file>", "answers as a YAML/JSON mapping: nodes.<node>.outputs.<port>: <path>, ...")
    .option("--set <key=value>", "one answer, e.g. nodes.X.outputs.DATA=data/x; repeatable", collect)
    .option("-y, --yes", "do not ask, even in a terminal: fail listing what is still missing")
    .action(async (target: string | undefined, options: InitOptions) => {
      done(await runInit(target, options));
    });
}

async function runInit(target: string | undefined, options: InitOptions): Promise<CommandResult> {
  const factoryOpts = factoryOptions(target, options);
  const specFile = specFileOf(factoryOpts);
  const isNew = !existsSync(specFile);
  const { answers, settings } = splitSettings(gatherAnswers(options));
  const where = [
    options.dag,
    options.config,
    options.interfaces,
    options.scripts,
    options.projectRoot,
    options.path,
  ];
  if (!isNew && where.some((o) => o !== undefined)) {
    process.stderr.write(
      `[dagtest] ${specFile} exists: --dag, --config, --interfaces, --scripts, --project-root and --path are ignored (edit the file to change them).\n`,
    );
  }
  // A factory with the command-line answers applied; made again for a second pass of the wizard.
  const make = async (): Promise<TestingFactory> => {
    const factory = await createTestingFactory({ ...factoryOpts, settings });
    const problems = checkAnswers(factory, answers);
    if (problems.length > 0) throw answersError(problems);
    applyAnswers(factory, answers);
    if (options.synthesize !== undefined && options.synthesize !== false) {
      const rows = options.synthesize === true ? undefined : Number(options.synthesize);
      factory.synthesizePhantomOutputs(rows === undefined ? {} : { rows });
    }
    return factory;
  };
  const factory = await make();
  const interactive = !options.yes && process.stdin.isTTY === true && process.stdout.isTTY === true;
  if (interactive) {
    const preAnswered = answers.size + settings.length > 0;
    const exitCode = await runWizard({ factory, reload: make, isNew, preAnswered });
    return { stdout: "", exitCode };
  }
  return finishUnattended(factory, { isNew, answered: answers.size + settings.length > 0, target });
}

function gatherAnswers(options: InitOptions): Map<string, unknown> {
  const answers = options.answers ? readAnswersFile(options.answers) : new Map<string, unknown>();
  for (const pair of options.set ?? []) {
    const [key, value] = parseSetFlag(pair);
    answers.set(key, value);
  }
  return answers;
}

/** No terminal: everything must be answered already; a partial dagtest.yaml is never written. */
function finishUnattended(
  factory: TestingFactory,
  context: { isNew: boolean; answered: boolean; target: string | undefined },
): CommandResult {
  const missing = remainingMissing(factory);
  if (missing.length > 0) {
    const optional = wizardQuestions(factory).filter((q) => !q.required);
    throw missingError(factory.specFile, missing, optional);
  }
  for (const s of factory.getScriptsRequiringTesting()) factory.autoConfigureScriptIfPossible(s);
  const summary = summaryText(factory.getTestingFactorySummary());
  if (!context.isNew && !context.answered) {
    return { stdout: `${summary}\n\n${factory.specFile} is complete: nothing changed.\n`, exitCode: 0 };
  }
  factory.save();
  const next = context.target ? `dagtest run ${context.target}` : "dagtest run";
  return { stdout: `${summary}\n\nWrote ${factory.specFile}. Next: ${next}\n`, exitCode: 0 };
}

function missingError(
  specFile: string,
  missing: readonly { key: string; script: string; field: string; message: string }[],
  optional: readonly WizardQuestion[],
): DagtestError {
  const width = maxOf(
    missing.map((m) => m.key.length),
    0,
  );
  const lines = missing.map((m) => `  ${m.key.padEnd(width)}  ${m.script} ${m.field}: ${m.message}`);
  const example = [
    ...missing.map((m) => `          ${m.key}: ${m.field.startsWith("env.") ? "<value>" : "<path>"}`),
    // Optional phantom outputs are not required, but the scripts they feed may well read them.
    ...optional.map((q) => `          # optional: ${q.key}: <path>`),
  ];
  return new DagtestError({
    code: "DAGTEST_NOT_CONFIGURED",
    message: `${path.basename(specFile)} was not written: ${missing.length} answer(s) missing, and there is no terminal to ask:\n${lines.join("\n")}`,
    hint: [
      "Put the answers in a YAML (or JSON) file and run `dagtest init --answers answers.yaml`; answers.yaml:",
      ...example,
      "        or give each with --set KEY=VALUE, or run `dagtest init` in a terminal to be asked.",
      "        A phantom's output can also be synthesized from the config: the value `synthesize`, or `dagtest init --synthesize`.",
    ].join("\n"),
  });
}
