/**
 * A private copy of a file or folder: copy-on-write clones (reflinks) where the file system has
 * them (btrfs, XFS, APFS, ZFS 2.2+), plain copies otherwise (`COPYFILE_FICLONE` falls back by
 * itself). Never hard links: a write through a hard link changes the original. Symbolic links
 * are followed and their targets copied, so no write through the copy can reach the original;
 * a link back to a folder being copied (a loop) is left out.
 *
 * Asynchronous: the file-system calls run on libuv's threads, the files of a folder side by side,
 * so a slow disk neither blocks the caller's thread nor makes one copy wait for the last.
 */
import { constants } from "node:fs";
import { copyFile, mkdir, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";

export interface Cloned {
  readonly files: number;
  readonly bytes: number;
}

/** Copy `source` (a file or a folder) to `target`, which must not exist yet. */
export async function cloneTree(source: string, target: string): Promise<Cloned> {
  const found = await stat(source);
  if (!found.isDirectory()) {
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(source, target, constants.COPYFILE_FICLONE);
    return { files: 1, bytes: found.size };
  }
  const total = { files: 0, bytes: 0 };
  await cloneFolder(source, target, total, new Set());
  return total;
}

/** `copying`: the real paths of the folders being copied around this one, to leave loops out. */
async function cloneFolder(
  source: string,
  target: string,
  total: { files: number; bytes: number },
  copying: ReadonlySet<string>,
): Promise<void> {
  const real = await realpath(source);
  if (copying.has(real)) return;
  const inside = new Set(copying).add(real);
  await mkdir(target, { recursive: true });
  const entries = await readdir(source, { withFileTypes: true });
  await Promise.all(
    entries.map(async (entry) => {
      const from = path.join(source, entry.name);
      const to = path.join(target, entry.name);
      const linked = entry.isSymbolicLink() ? await statOrNull(from) : null;
      if (entry.isDirectory() || linked?.isDirectory()) await cloneFolder(from, to, total, inside);
      else if (entry.isFile() || linked) {
        // A dangling link holds no data: left out.
        await copyFile(from, to, constants.COPYFILE_FICLONE);
        total.files++;
        total.bytes += (await stat(to)).size;
      }
    }),
  );
}

async function statOrNull(file: string): Promise<Awaited<ReturnType<typeof stat>> | null> {
  try {
    return await stat(file);
  } catch {
    return null;
  }
}
