/**
 * A node's folders laid out ahead of it: while a node runs, the folders of each node that waits
 * only for it (its outputs, work, temp, log and input folders and empty log files: nothing that
 * depends on what the upstream node writes) are made in the background, so that the next node's
 * `prepare` finds them there instead of waiting for the disk between two nodes. A folder is only
 * made for a node that will run if its upstream passes; should it not run after all (skipped,
 * cancelled), exactly what was made for it is removed again, and its run folder stays as if
 * nothing had been laid out.
 */
import { mkdir, rmdir, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { nodePaths } from "../model/layout.js";
import type { ScriptNode } from "../model/plan.js";

interface Laid {
  /** Settles (never rejects) once everything was made, or failed to be. */
  readonly done: Promise<void>;
  /** What was made, in the order it was made. */
  readonly made: { readonly path: string; readonly kind: "dir" | "file" }[];
}

export class LayoutAhead {
  readonly #runDir: string;
  readonly #downstream = new Map<string, ScriptNode[]>();
  readonly #laid = new Map<string, Laid>();

  /** `scripts`: the nodes this run may run. */
  constructor(runDir: string, scripts: readonly ScriptNode[]) {
    this.#runDir = runDir;
    for (const node of scripts)
      for (const up of node.upstream) this.#downstream.set(up, [...(this.#downstream.get(up) ?? []), node]);
  }

  /**
   * `node` is running: lay out each node downstream of it that `waitsOnlyFor` says will be ready
   * once `node` passes (its other upstream nodes done, nothing else keeping it from running).
   */
  layOutAfter(node: string, waitsOnlyFor: (next: ScriptNode) => boolean): void {
    for (const next of this.#downstream.get(node) ?? [])
      if (!this.#laid.has(next.name) && waitsOnlyFor(next)) this.#laid.set(next.name, this.#layOut(next));
  }

  /** Wait for `node`'s folders if they are being laid out (what failed, prepare makes itself). */
  async ready(node: string): Promise<void> {
    await this.#laid.get(node)?.done;
  }

  /** `node` will not run: remove what was laid out for it (only what is still empty). */
  async discard(node: string): Promise<void> {
    const laid = this.#laid.get(node);
    if (!laid) return;
    this.#laid.delete(node);
    await laid.done;
    for (const { path: made, kind } of [...laid.made].reverse()) {
      try {
        await (kind === "file" ? unlink(made) : rmdir(made));
      } catch {
        // Not empty (something was put there since): it is no longer only ours to remove.
      }
    }
  }

  #layOut(node: ScriptNode): Laid {
    const paths = nodePaths(this.#runDir, node.name);
    const made: Laid["made"] = [];
    // Each step swallows its own failure, so that `done` settles only once every step has.
    const dir = (folder: string) =>
      mkdir(folder).then(
        () => void made.push({ path: folder, kind: "dir" }),
        () => {},
      );
    const file = (name: string) =>
      writeFile(name, "", { flag: "wx" }).then(
        () => void made.push({ path: name, kind: "file" }),
        () => {},
      );
    const logs = path.dirname(paths.stdout);
    const done = dir(paths.dir).then(async () => {
      await Promise.all([
        dir(paths.work),
        dir(paths.tmp),
        node.inputs.length > 0 ? dir(paths.inputs) : null,
        dir(logs).then(() => Promise.all([file(paths.stdout), file(paths.stderr)])),
        dir(paths.outputs).then(() =>
          Promise.all(node.outputs.map((o) => dir(path.join(paths.outputs, o.name)))),
        ),
      ]);
    });
    return { done, made };
  }
}
