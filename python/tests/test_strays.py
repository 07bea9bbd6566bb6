"""strays.py on its own: when a runner has no child at all, it has nothing to scan for."""

import subprocess
import sys
import textwrap

import pytest

from support import PYTHON_DIR

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="child subreaper: Linux only")


def _run(source):
    code = "import sys; sys.path.insert(0, %r)\n" % str(PYTHON_DIR) + textwrap.dedent(source)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_no_child_means_no_descendant_and_no_scan():
    out = _run("""
        import os, subprocess
        from dagtest_runner import strays
        strays.become_subreaper()
        scanned = []
        real = strays._descendants
        strays._descendants = lambda root: scanned.append(root) or real(root)
        print(strays._has_children(), strays.end_descendants(), len(scanned))
        subprocess.run(["true"], check=True)  # started and reaped: no child left
        print(strays._has_children(), strays.end_descendants(), len(scanned))
    """)
    assert out == ["False", "[]", "0", "False", "[]", "0"]


def test_a_zombie_or_an_orphan_is_still_found():
    out = _run("""
        import os, subprocess, sys, time
        from dagtest_runner import strays
        strays.become_subreaper()
        zombie = os.fork()
        if zombie == 0:
            os._exit(0)
        time.sleep(0.2)
        print(strays._has_children())  # the zombie counts (and is reaped)
        # A daemon's double fork: its parent exits, the grandchild is adopted by this subreaper.
        daemon = ("import subprocess; p = subprocess.Popen(['sleep', '60'], start_new_session=True, "
                  "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); print(p.pid)")
        starter = subprocess.run([sys.executable, "-c", daemon], capture_output=True, text=True, check=True)
        held = int(starter.stdout)
        killed = strays.end_descendants()
        print([pid for pid, _ in killed] == [held], strays._has_children())
    """)
    assert out == ["True", "True", "False"]
