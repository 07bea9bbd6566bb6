/**
 * The terminal conversation of `dagtest init`: scripts in topological order, each with its upstream
 * context and pre-filled values, then questions only for what is missing. Every answer is
 * validated at once; `<` goes back one question; Ctrl-C quits and writes nothing. Answers are
 * applied to the factory only at the end, so going back never leaves a stale value behind.
 */
import path from "node:path";
import { cancel, intro, isCancel, log, note, outro, select, text } from "@clack/prompts";
import pc from "picocolors";
import type { TestingFactory } from "../../factory/factory.js";
import { type AnswerValue, applyAnswers, checkAnswer, normaliseAnswer, remainingMissing } from "./answers.js";
import type { WizardQuestion } from "./questions.js";
import { SYNTHESIZE, wizardQuestions } from "./questions.js";
import { overviewText, relativeTo, scriptHeader, summaryText } from "./render.js";

export interface WizardContext {
  readonly factory: TestingFactory;
  /** A fresh factory from the unchanged file, for a second pass after "back" at the end. */
  readonly reload: () => Promise<TestingFactory>;
  /** True when dagtest.yaml does not exist yet (it is written even with nothing to ask). */
  readonly isNew: boolean;
  /** Answers already applied from --answers/--set: something to write even with nothing to ask. */
  readonly preAnswered: boolean;
}

/** Exit code when the user quits: like a shell's Ctrl-C. */
export const CANCELLED = 130;

const BACK = Symbol("back");
const SKIP = Symbol("skip");
type Reply = AnswerValue | typeof BACK | typeof SKIP | symbol;

export async function runWizard(ctx: WizardContext): Promise<number> {
  let factory = ctx.factory;
  const dir = path.dirname(factory.specFile);
  const rel = relativeTo(dir);
  const questions = wizardQuestions(factory);
  const scripts = factory.getScriptsRequiringTesting();
  intro(` dagtest init ${pc.dim(factory.specFile)} `);
  const required = questions.filter((q) => q.required).length;
  note(
    overviewText(factory, required, questions.length - required),
    ctx.isNew ? "New test spec" : "Refining the test spec",
  );
  if (questions.length > 0)
    log.info(`Paths are relative to ${dir}, the folder of dagtest.yaml. Type < to go back.`);
  const printed = new Set<string>();
  // Scripts up to `last` not shown yet, in order (those with nothing to ask too); `again` re-shows one.
  const headers = (last: number, again?: string) => {
    for (const s of scripts.slice(0, last + 1)) {
      if (printed.has(s) && s !== again) continue;
      printed.add(s);
      log.step(`${pc.bold(s)}\n${scriptHeader(factory, s, rel)}`);
    }
  };
  const answers = new Map<string, AnswerValue>();
  let applied = false;
  let back = false;
  let i = 0;
  for (;;) {
    if (i >= questions.length) {
      headers(scripts.length - 1);
      if (!ctx.isNew && !ctx.preAnswered && answers.size === 0) {
        outro(`${rel(factory.specFile)} is complete: nothing to ask, nothing changed.`);
        return 0;
      }
      // Answers are applied to a factory fresh from the file, so a changed answer leaves no trace.
      if (applied) factory = await ctx.reload();
      applyAnswers(factory, answers);
      applied = true;
      const choice = await finish(factory, rel, questions.length > 0);
      if (choice === "write") {
        factory.save();
        outro(`Wrote ${factory.specFile}. Next: \`dagtest status\`, then \`dagtest run\`.`);
        return 0;
      }
      if (choice === "quit") return quit();
      i = questions.length - 1;
      back = true;
    }
    const q = questions[i]!;
    headers(scripts.indexOf(q.script), back ? q.script : undefined);
    back = false;
    const reply = await ask(factory, q, answers.get(q.key));
    if (isCancel(reply)) return quit();
    if (reply === BACK) {
      if (i === 0) log.warn("This is the first question: there is nothing before it.");
      else i--;
      back = i >= 0 && questions[i]!.script !== q.script;
      continue;
    }
    if (reply === SKIP) answers.delete(q.key);
    else if (typeof reply !== "symbol") answers.set(q.key, reply);
    i++;
  }
}

function quit(): number {
  cancel("Cancelled: nothing written (dagtest.yaml is as it was).");
  return CANCELLED;
}

/** Ask one question until the answer is valid, `<` (back), empty (skip, when optional) or Ctrl-C. */
async function ask(
  factory: TestingFactory,
  q: WizardQuestion,
  previous: AnswerValue | undefined,
): Promise<Reply> {
  for (;;) {
    const synth = q.section === "outputs";
    const value = await text({
      message: questionText(q),
      placeholder: synth
        ? `Enter: synthesize it from the config · or type the path of your own data${q.required ? "" : " · - to skip"} · < back`
        : q.required
          ? "< to go back"
          : "Enter to skip · < to go back",
      ...(previous === undefined ? {} : { initialValue: String(previous) }),
    });
    if (isCancel(value)) return value;
    const typed = (value ?? "").trim();
    if (typed === "<") return BACK;
    if (synth && typed === "-" && !q.required) return SKIP;
    if (synth && typed === "") return SYNTHESIZE;
    if (typed === "") {
      if (!q.required) return SKIP;
      log.warn(`${q.key} needs an answer (${q.why}). Type a value, or < to go back.`);
      continue;
    }
    const answer = normaliseAnswer(q.section, typed);
    const problem = checkAnswer(factory, q.key, answer);
    if (!problem) return answer;
    log.error(`${problem.message}\n${pc.cyan("fix:")} ${problem.hint}`);
  }
}

function questionText(q: WizardQuestion): string {
  const feeds = q.feeds.length > 0 ? pc.dim(` (feeds ${q.feeds.join(", ")})`) : "";
  const optional = q.required ? "" : pc.dim(" optional");
  switch (q.section) {
    case "outputs":
      return `Where is the data of ${q.node}.${q.name}?${optional}${feeds}`;
    case "inputs":
      return `Which data for ${q.node}.${q.name}?${optional}`;
    case "env":
      return `Value of env ${q.name} for ${q.node}?${optional}`;
    case "jobArgs":
      return `Value of job arg ${q.name} for ${q.node}?${optional}`;
  }
}

/** The summary, what is still open, and write / back / quit. */
async function finish(
  factory: TestingFactory,
  rel: (p: string) => string,
  canGoBack: boolean,
): Promise<"write" | "back" | "quit"> {
  for (const s of factory.getScriptsRequiringTesting()) factory.autoConfigureScriptIfPossible(s);
  note(summaryText(factory.getTestingFactorySummary()), "Summary");
  const missing = remainingMissing(factory);
  if (missing.length > 0) log.warn(`Still missing:\n${missing.map((m) => `  ${m.key}`).join("\n")}`);
  const choice = await select<"write" | "back" | "quit">({
    message: `Write ${rel(factory.specFile)}?`,
    options: [
      { value: "write", label: `Write ${rel(factory.specFile)}` },
      ...(canGoBack ? [{ value: "back" as const, label: "← back: change an answer" }] : []),
      { value: "quit", label: "Quit without writing" },
    ],
  });
  return isCancel(choice) ? "quit" : choice;
}
