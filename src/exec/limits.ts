/**
 * The two reasons to stop a running node, shared by every executor: its timeout elapsed, or the
 * run was cancelled. `stop` is called once either happens; `dispose` when the node has ended.
 */
import type { ExecRequest } from "./types.js";

export interface StopWatch {
  readonly timedOut: () => boolean;
  readonly cancelled: () => boolean;
  readonly dispose: () => void;
}

export function watchForStop(
  request: Pick<ExecRequest, "timeoutMs" | "signal">,
  stop: () => void,
): StopWatch {
  let timedOut = false;
  let cancelled = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, request.timeoutMs);
  const onAbort = () => {
    cancelled = true;
    stop();
  };
  if (request.signal.aborted) onAbort();
  else request.signal.addEventListener("abort", onAbort, { once: true });
  return {
    timedOut: () => timedOut,
    cancelled: () => cancelled,
    dispose: () => {
      clearTimeout(timer);
      request.signal.removeEventListener("abort", onAbort);
    },
  };
}
