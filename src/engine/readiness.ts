/** Which script nodes cannot start because the plan left something unanswered or wrong for them. */
import type { Plan } from "../model/plan.js";

/** Node → why it cannot run (node-level errors, or open questions about its inputs or env). */
export function blockers(plan: Plan): Map<string, string> {
  const out = new Map<string, string>();
  const add = (node: string, why: string) => out.set(node, out.has(node) ? `${out.get(node)}; ${why}` : why);
  for (const problem of plan.problems) {
    if (problem.severity === "error" && problem.node) add(problem.node, `not run: ${problem.message}`);
  }
  for (const question of plan.questions) {
    const waiting =
      question.kind === "phantom-output" ? question.consumers.map((c) => c.node) : [question.node];
    for (const node of waiting) add(node, `not run: ${question.message} (answer at ${question.answerAt})`);
  }
  return out;
}
