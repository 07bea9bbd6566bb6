/**
 * The one hook between planning and running for user data: write the synthesized phantom outputs
 * (cached by recipe), then, with `--sample N`, point every user-supplied dataset at a sampled copy.
 * The user's files are never touched; the returned plan says what was sampled (`plan.sampling`).
 */
import type { Plan } from "../model/plan.js";
import { materializeSynthesis } from "../synth/materialize.js";
import { sampleUserData } from "./sample-plan.js";

export interface PrepareOptions {
  /** The folder holding `.dagtest/`. */
  readonly baseDir: string;
  readonly python: string;
  /** Rows per dataset, or null for no sampling. */
  readonly sample: number | null;
  readonly sampleSeed: number;
}

export function prepareUserData(plan: Plan, options: PrepareOptions): Plan {
  materializeSynthesis(plan, options.baseDir, options.python);
  if (options.sample === null) return plan;
  return sampleUserData(plan, options);
}
