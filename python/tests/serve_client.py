"""A small client of the fork server (``serve`` mode), speaking the protocol the engine speaks.

Mirrors ``src/exec/fork-server.ts`` and ``src/exec/fork-job.ts``: start a server with a preload
list and read its status line; submit a job over three connections and collect its events and
its stdout/stderr until the child is reaped and both streams are closed.
"""

import json
import selectors
import socket
import subprocess
import time
import uuid
from pathlib import Path

RUNNER = Path(__file__).resolve().parents[1] / "dagtest_runner" / "__main__.py"


class Completed:
    """Shaped like ``subprocess.CompletedProcess`` (returncode -N for signal N), plus events."""

    def __init__(self, returncode, stdout, stderr, events):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.events = events


class ServeClient:
    def __init__(self, python, folder, preload=(), explicit=(), env=None):
        self.socket_path = str(Path(folder) / "serve.sock")
        config = {"protocolVersion": 1, "preload": list(preload), "explicit": list(explicit)}
        self.proc = subprocess.Popen(
            [python, str(RUNNER), "serve", self.socket_path, json.dumps(config)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )
        line = self.proc.stdout.readline()
        self.status = json.loads(line) if line else {"event": "exited", "stderr": self.proc.stderr.read()}

    def launch(self, job_file, env, cwd, source_dir, timeout):
        """The signature support.LAUNCHER expects."""
        return self.submit(job_file, env, cwd, source_dir=source_dir, timeout=timeout)

    def submit(self, job_file, env, cwd, source_dir=None, timeout=60, mode=None):
        job_id = uuid.uuid4().hex
        sockets = {}
        run = {"kind": "run", "jobFile": str(job_file), "env": env, "cwd": cwd, "sourceDir": source_dir}
        if mode is not None:
            run["mode"] = mode
        for name, header in (
            ("control", run),
            ("stdout", {"kind": "stream", "stream": "stdout"}),
            ("stderr", {"kind": "stream", "stream": "stderr"}),
        ):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(self.socket_path)
            sock.sendall((json.dumps(dict(header, protocolVersion=1, id=job_id)) + "\n").encode())
            sockets[name] = sock
        received = {name: b"" for name in sockets}
        selector = selectors.DefaultSelector()
        for name, sock in sockets.items():
            selector.register(sock, selectors.EVENT_READ, name)
        deadline = time.monotonic() + timeout
        while selector.get_map():
            if time.monotonic() > deadline:
                raise TimeoutError("job %s did not finish in %s s" % (job_file, timeout))
            for key, _ in selector.select(1):
                data = key.fileobj.recv(65536)
                if data:
                    received[key.data] += data
                else:
                    selector.unregister(key.fileobj)
                    key.fileobj.close()
        events = [json.loads(line) for line in received["control"].decode().splitlines()]
        exit_event = next((e for e in events if e["event"] == "exit"), None)
        code = None
        if exit_event is not None:
            code = exit_event["code"] if exit_event["signal"] is None else -_signum(exit_event["signal"])
        return Completed(code, received["stdout"], received["stderr"], events)

    def close(self, timeout=10):
        """EOF on the server's stdin, the way the engine going away looks to it."""
        if self.proc.stdin:
            self.proc.stdin.close()
        code = self.proc.wait(timeout)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return code


def _signum(name):
    import signal

    return int(getattr(signal, name))


def alive(pid):
    """True while ``pid`` exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
