/**
 * Finding files by name under a folder, as a `**` glob would: hidden entries are not entered
 * (globs skip dot files), symbolic links are followed, a depth limit and folder names to skip
 * bound the walk. dagtest's own searches (interface files by suffix, a script by its entry-point
 * name) need nothing more, and a glob library costs every command its start-up (~15 ms).
 */
import { type Dirent, readdirSync, statSync } from "node:fs";
import path from "node:path";

export interface FindOptions {
  /** How many folders deep below `root` to look (default: no limit). */
  readonly maxDepth?: number;
  /** Folder names never entered (node_modules, .venv, …). */
  readonly skip?: ReadonlySet<string>;
}

/**
 * Absolute paths of the files under `root` whose path relative to it (with `/`) satisfies
 * `match`, in walk order. A folder that cannot be read is passed over.
 */
export function findFiles(
  root: string,
  match: (relative: string) => boolean,
  options: FindOptions = {},
): string[] {
  const found: string[] = [];
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const walk = (dir: string, prefix: string, depth: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const full = path.join(dir, entry.name);
      const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      const kind = entryKind(entry, full);
      if (kind === "dir") {
        if (depth < maxDepth && !options.skip?.has(entry.name)) walk(full, relative, depth + 1);
      } else if (kind === "file" && match(relative)) {
        found.push(full);
      }
    }
  };
  walk(root, "", 0);
  return found;
}

function entryKind(entry: Dirent, full: string): "dir" | "file" | null {
  if (entry.isDirectory()) return "dir";
  if (entry.isFile()) return "file";
  if (!entry.isSymbolicLink()) return null;
  try {
    const stat = statSync(full);
    return stat.isDirectory() ? "dir" : stat.isFile() ? "file" : null;
  } catch {
    return null; // a dangling link
  }
}
