/**
 * Writing the synthesized data a plan asks for, before any script runs. Cached by recipe: a
 * phantom's folder (`.dagtest/synth/<node>/`) holds `recipe.json`, and data whose recipe is
 * unchanged is not written again. A new recipe is written beside the old one and swapped in.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { synthesizedOutputPath } from "../config/project-load.js";
import type { PhantomNode, Plan } from "../model/plan.js";
import { writeRecipe } from "./write.js";

export interface MaterializeResult {
  readonly node: string;
  readonly dir: string;
  /** False when the data of the same recipe was already there. */
  readonly written: boolean;
}

export function materializeSynthesis(plan: Plan, baseDir: string, python: string): MaterializeResult[] {
  return plan.nodes
    .filter(
      (n): n is PhantomNode & Required<Pick<PhantomNode, "synthetic">> =>
        n.kind === "phantom" && !!n.synthetic,
    )
    .map((node) => ensure(node, baseDir, python));
}

function ensure(
  node: PhantomNode & Required<Pick<PhantomNode, "synthetic">>,
  baseDir: string,
  python: string,
) {
  const dir = path.dirname(synthesizedOutputPath(baseDir, node.name, "DATA"));
  const marker = path.join(dir, "recipe.json");
  const ports = node.synthetic.ports;
  if (existsSync(marker) && ports.every((p) => existsSync(path.join(dir, p)))) {
    try {
      const stored = JSON.parse(readFileSync(marker, "utf8")) as { recipeHash?: unknown };
      if (stored.recipeHash === node.synthetic.recipeHash) return { node: node.name, dir, written: false };
    } catch {
      // An unreadable marker: write again.
    }
  }
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  try {
    writeRecipe(node.synthetic.recipe, tmp, python, ports);
    writeFileSync(path.join(tmp, "recipe.json"), `${JSON.stringify(node.synthetic, null, 2)}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { node: node.name, dir, written: true };
}
