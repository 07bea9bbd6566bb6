"""Processes the script leaves behind: none outlives its node, whatever session it moved to.

Killing the node's process group is not enough: a script can start a process in a session of
its own (``Popen(..., start_new_session=True)``, a daemon's double fork), which then holds the
node's log pipes and outlives the run. So on Linux the runner makes itself a *child subreaper*
(``prctl(PR_SET_CHILD_SUBREAPER)``): a descendant whose parent exits is re-parented to the
runner instead of to init, so every descendant stays in the runner's process tree. When the
script's ``main`` returns (or raises), and when the engine stops the node (SIGTERM), the runner
kills every descendant it still has and says which ones, before it reports and exits.

Standard library only: prctl through ctypes, the process tree from /proc.
"""

import ctypes
import os
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36

# multiprocessing's own helpers live as long as the runner and end with it (EOF on their pipe);
# killing them first would only make the script's finalizers fail. They are in the node's
# process group, which the engine kills at the end.
_HELPERS = ("multiprocessing.resource_tracker", "multiprocessing.forkserver")

_runner_pid = [None]
_adopting = [False]  # what become_subreaper answered in the runner's process
_libc = []  # libc through ctypes, loaded once (the fork server loads it before it forks)
PR_SET_PDEATHSIG = 1
# A cold runner's parent is dagtest itself: when it dies, so does the node. A child of the warm
# fork server is stopped by dagtest through the server instead (fork_child turns this off).
die_with_parent = [True]


def load_libc():
    """libc for prctl, loaded once: a fork server calls it so that its children need not."""
    if not _libc:
        libc = ctypes.CDLL(None, use_errno=True)
        getattr(libc, "prctl", None)  # looked up once; ctypes keeps the function on the object
        _libc.append(libc)
    return _libc[0]


def become_subreaper():
    """Adopt orphaned descendants, and stop them when the engine stops the node. False off Linux.

    Once per process: a forked child of the server calls it before its job arrives, then run
    mode's set-up finds it done.
    """
    if _runner_pid[0] == os.getpid():
        return _adopting[0]
    _runner_pid[0] = os.getpid()
    _adopting[0] = _become_subreaper()
    return _adopting[0]


def _become_subreaper():
    signal.signal(signal.SIGTERM, _on_stop)
    os.register_at_fork(after_in_child=_forget_in_child)
    if not sys.platform.startswith("linux"):
        return False
    quit_signal = _quit_signal()
    if quit_signal is not None:
        signal.signal(quit_signal, _on_quit)
    try:
        libc = load_libc()
        adopted = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
        # When dagtest dies (kill -9 included) this process gets the quit signal: the script's
        # descendants are stopped and the runner exits, so nothing outlives dagtest, in cold mode
        # too. A realtime signal, as a script may ignore SIGTERM.
        if die_with_parent[0]:
            libc.prctl(PR_SET_PDEATHSIG, quit_signal or signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return False
    if die_with_parent[0] and os.getppid() == 1:  # dagtest died before prctl: stop now
        os.kill(os.getpid(), quit_signal or signal.SIGTERM)
    return adopted


def _forget_in_child():
    # A process the script forks is not the runner: it gets the default SIGTERM back (the
    # subreaper flag itself is not inherited across fork), and dies of the quit signal.
    if signal.getsignal(signal.SIGTERM) is _on_stop:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    quit_signal = _quit_signal()
    if quit_signal is not None and signal.getsignal(quit_signal) is _on_quit:
        signal.signal(quit_signal, signal.SIG_DFL)


def _quit_signal():
    """SIGRTMIN+1 (35 on Linux, as dagtest sends it), or None where there are no such signals."""
    low = getattr(signal, "SIGRTMIN", None)
    return None if low is None else int(low) + 1


def _on_quit(signum, frame):
    """dagtest is gone (or quitting at once): stop every descendant, then leave."""
    if os.getpid() == _runner_pid[0]:
        end_descendants(deadline_s=0.4)
    os._exit(128 + signum)


def _on_stop(signum, frame):
    """SIGTERM (timeout, Ctrl-C, --fail-fast): the script's descendants go first, then the runner."""
    if os.getpid() == _runner_pid[0]:
        killed = end_descendants()
        if killed:
            try:
                sys.stderr.write("[dagtest] stopped; also killed %s\n" % describe(killed))
                sys.stderr.flush()
            except Exception:  # the script may have closed or replaced stderr
                pass
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def end_descendants(deadline_s=2.0):
    """SIGKILL every live descendant of this process, reap them; return ``[(pid, command)]``.

    Rounds, because a process can fork while its parent is being killed; a killed process's
    children are re-parented here and show up in the next round.
    """
    if not _has_children():
        return []  # the usual case: not even the scan of /proc (a few ms on a busy machine)
    killed = {}
    me = os.getpid()
    give_up = time.monotonic() + deadline_s
    while time.monotonic() < give_up:
        live = {
            pid: command for pid, (state, command) in _descendants(me).items()
            if state != "Z" and not _is_helper(command)
        }
        if not live:
            break
        for pid, command in live.items():
            killed.setdefault(pid, command if command != "?" else _command_settled(pid))
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        _reap()
        time.sleep(0.002)
    _reap()
    return sorted(killed.items())


def describe(killed):
    """``2 processes the script left running: 123 (sleep 600), 124 (python -c ...)``."""
    shown = ", ".join("%d (%s)" % (pid, command[:80]) for pid, command in killed[:10])
    more = "" if len(killed) <= 10 else ", and %d more" % (len(killed) - 10)
    return "%d process%s the script left running: %s%s" % (
        len(killed), "" if len(killed) == 1 else "es", shown, more)


def _is_helper(command):
    return any(helper in command for helper in _HELPERS)


def _has_children():
    """False only when this process has no child at all, live or zombie (reaping one if there is).

    Then it has no descendant either: a subreaper adopts the children of every descendant that
    exits, so any live descendant is a child or below one. (Without the subreaper flag, an orphan
    goes to init and is not in this process's tree, for the scan of /proc either.)
    """
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return False
    return True


def _reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _descendants(root):
    """``{pid: (state, command)}`` of every descendant of ``root``, from every process's parent in
    /proc (about 1 ms for a hundred processes; /proc/<pid>/task/*/children is not on every kernel)."""
    children = {}
    info = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return {}
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, "rb") as file:
                stat = file.read().decode("utf-8", "replace")
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) < 2:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        info[pid] = fields[0]
    found = {}
    stack = list(children.get(root, ()))
    while stack:
        pid = stack.pop()
        if pid in found:
            continue
        found[pid] = (info.get(pid, "?"), _command(pid))
        stack.extend(children.get(pid, ()))
    return found


def _command_settled(pid, tries=10):
    """The command line of a process caught between fork and exec (or on a loaded machine, just
    past it) reads empty for a moment: ask again briefly before it is killed and named."""
    for _ in range(tries):
        time.sleep(0.002)
        command = _command(pid)
        if command != "?":
            return command
    return "?"


def _command(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as file:
            raw = file.read()
    except OSError:
        return "?"
    return raw.replace(b"\0", b" ").decode("utf-8", "replace").strip() or "?"
