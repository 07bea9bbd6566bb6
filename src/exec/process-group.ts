/**
 * Process-group hygiene: every node runs in its own group (spawned `detached`), and every live
 * group is killed when the engine exits for any reason, so no script outlives dagtest.
 */

const live = new Set<number>();
let hooked = false;

/**
 * The runner's "dagtest is gone" signal (SIGRTMIN+1 on Linux, which scripts do not handle): the
 * runner kills every descendant it has, whatever session they moved to, then exits.
 */
const QUIT_SIGNAL = 35;
/** How long an exiting dagtest waits for runners to clean up before it kills their groups. */
const QUIT_GRACE_MS = 500;

function killAllNow(): void {
  // Exiting (a second Ctrl-C, an error): synchronous only. Runners first get the chance to
  // stop what the script started in other sessions, then every group is killed.
  if (process.platform === "linux") {
    for (const pgid of live) signalPid(pgid, QUIT_SIGNAL);
    const wait = new Int32Array(new SharedArrayBuffer(4));
    for (let waited = 0; waited < QUIT_GRACE_MS && [...live].some(pidAlive); waited += 20)
      Atomics.wait(wait, 0, 0, 20);
  }
  for (const pgid of live) signalGroup(pgid, "SIGKILL");
  live.clear();
}

function signalPid(pid: number, signal: number): void {
  try {
    process.kill(pid, signal);
  } catch {}
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
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
