/**
 * A private copy of a file or folder: copy-on-write clones (reflinks) where the file system has
 * them (btrfs, XFS, APFS, ZFS 2.2+), plain copies otherwise (`COPYFILE_FICLONE` falls back by
 * itself). Never hard links: a write through a hard link changes the original. Symbolic links
 * are followed and their targets copied, so no write through the copy can reach the original;
 * a link back to a folder being copied (a loop) is left out.
 */
import { constants, copyFileSync, mkdirSync, readdirSync, realpathSync, statSync } from "node:fs";
import path from "node:path";

export interface Cloned {
  readonly files: number;
  readonly bytes: number;
}

/** Copy `source` (a file or a folder) to `target`, which must not exist yet. */
export function cloneTree(source: string, target: string): Cloned {
  const stat = statSync(source);
  if (!stat.isDirectory()) {
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(source, target, constants.COPYFILE_FICLONE);
    return { files: 1, bytes: stat.size };
  }
  const total = { files: 0, bytes: 0 };
  cloneFolder(source, target, total, new Set());
  return total;
}

/** `copying`: the real paths of the folders being copied around this one, to leave loops out. */
function cloneFolder(
  source: string,
  target: string,
  total: { files: number; bytes: number },
  copying: ReadonlySet<string>,
): void {
  const real = realpathSync(source);
  if (copying.has(real)) return;
  const inside = new Set(copying).add(real);
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(source, { withFileTypes: true })) {
    const from = path.join(source, entry.name);
    const to = path.join(target, entry.name);
    const isDir = entry.isDirectory() || (entry.isSymbolicLink() && isFolder(from));
    if (isDir) cloneFolder(from, to, total, inside);
    else if (entry.isFile() || entry.isSymbolicLink()) {
      if (entry.isSymbolicLink() && !exists(from)) continue; // a dangling link holds no data
      copyFileSync(from, to, constants.COPYFILE_FICLONE);
      total.files++;
      total.bytes += statSync(to).size;
    }
  }
}

function isFolder(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}
