/**
 * Process-group hygiene: every node runs in its own group (spawned `detached`), and every live
 * group is killed when the engine exits for any reason, so no script outlives dagtest.
 */

const live = new Set<number>();
let hooked = false;

function killAllNow(): void {
  for (const pgid of live) signalGroup(pgid, "SIGKILL");
  live.clear();
}

/** Remember a group so it is killed if dagtest exits. */
export function trackGroup(pgid: number): void {
  if (!hooked) {
    hooked = true;
    process.once("exit", killAllNow);
  }
  live.add(pgid);
}

export function untrackGroup(pgid: number): void {
  live.delete(pgid);
}

/** Send a signal to a whole group; a group that is already gone is fine. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

/** Is any process of the group still alive? */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
