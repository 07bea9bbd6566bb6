/**
 * Private inputs: each consumer reads its own view of each input, never the producer's output
 * folder nor the user's own files. A script that writes to its input (a bug the `verify` stage
 * reports as `input-modified`) changes only its own view: every other consumer still reads what
 * the producer wrote, and the user's data is never written. Views are copy-on-write clones
 * where the file system has them, plain copies otherwise (util/clone-tree.ts), never hard links.
 */
import { existsSync, rmSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { cloneTree } from "../util/clone-tree.js";

/**
 * The path a script gets for an input whose data is at `source`: a copy under `viewDir` (the
 * folder itself for a folder, `viewDir/<name>` for a file). A source that does not exist gets a
 * path that does not exist either, as before, but inside the node's own folder.
 */
export function privateView(source: string, viewDir: string): string {
  if (!existsSync(source)) return viewDir;
  try {
    const target = statSync(source).isDirectory() ? viewDir : path.join(viewDir, path.basename(source));
    rmSync(viewDir, { recursive: true, force: true });
    cloneTree(source, target);
    return target;
  } catch (error) {
    throw new InputCopyError(source, error);
  }
}

/** An input that could not be copied (unreadable, a symlink loop, a full disk): the node cannot run. */
export class InputCopyError extends Error {
  constructor(source: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`not run: its input ${source} could not be copied for it (${why})`, { cause });
    this.name = "InputCopyError";
  }
}

/** Remove a node's views once it is verified: the disk they take is only lent while it runs. */
export function dropPrivateViews(inputsDir: string): void {
  rmSync(inputsDir, { recursive: true, force: true });
}

/**
 * The same, off the node's path: removing files is slow on a busy disk (several ms for one
 * small file here), and nothing of the run waits for it but its end (see Chores).
 */
export function dropPrivateViewsLater(inputsDir: string): Promise<void> {
  return rm(inputsDir, { recursive: true, force: true });
}
