"""The fork server's wire formats: the engine's requests, the events sent back, and the messages
between the server and its children (``ServeRunRequest``/``ServeEvent`` in
``src/model/protocol.ts``; the child side in ``fork_child.py``).

Server to child, on the socketpair each child gets at fork: one job, as a 4-byte big-endian
length and the JSON request, with the job's stdout, stderr and control sockets attached
(SCM_RIGHTS). Child to server: one line per step, ``running`` when the job is about to run,
``exiting <code>`` right before ``os._exit``. The child tells the engine the same two steps
itself, as ``ServeEvent`` lines on the control connection (``fork_child._Report``).
"""

import array
import json
import os
import signal
import socket
import struct

from dagtest_runner.protocol import BadRequest, parse_request

_LENGTH = struct.Struct(">I")


def parse_engine_request(line):
    """Validate the first line of an engine connection; raise BadRequest."""
    request = parse_request(line)
    if not isinstance(request.get("id"), str) or not request["id"]:
        raise BadRequest("field 'id' must be a non-empty string")
    kind = request.get("kind")
    if not isinstance(request.get("token", ""), str):
        raise BadRequest("field 'token' must be a string")
    if kind in ("status", "stop"):  # a kept server's management requests (``dagtest server``)
        return request
    if kind == "stream":
        if request.get("stream") not in ("stdout", "stderr"):
            raise BadRequest("field 'stream' must be 'stdout' or 'stderr'")
        return request
    if kind != "run":
        raise BadRequest("field 'kind' must be 'run' or 'stream'")
    for field in ("jobFile", "cwd"):
        if not isinstance(request.get(field), str) or not request[field]:
            raise BadRequest("field %r must be a non-empty string" % field)
    env = request.get("env")
    if not isinstance(env, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and k and "=" not in k and "\0" not in k + v
        for k, v in env.items()
    ):
        raise BadRequest("field 'env' must map variable names to strings")
    if not isinstance(request.get("sourceDir"), (str, type(None))):
        raise BadRequest("field 'sourceDir' must be a string or null")
    if request.get("mode", "run") not in ("run", "inspect"):
        raise BadRequest("field 'mode' must be 'run' or 'inspect'")
    return request


def send_event(conn, message):
    """One JSON line to the engine; a connection the engine has closed is not an error."""
    if conn is None:
        return
    try:
        conn.sendall((json.dumps(message, separators=(",", ":")) + "\n").encode())
    except OSError:
        pass


def recv_some(conn, size):
    """Bytes from a non-blocking ``conn``: empty at EOF or reset, None when nothing is there yet."""
    try:
        return conn.recv(size)
    except BlockingIOError:
        return None
    except OSError:
        return b""


def exit_status(status):
    """(code, signal name) from a waitpid status."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            return None, signal.Signals(number).name
        except ValueError:
            return None, "SIG%d" % number
    return os.WEXITSTATUS(status), None


def send_job(sock, request, fds):
    """Hand a job and its stdout, stderr and control descriptors to a child (blocking; the child
    reads it)."""
    payload = json.dumps(request).encode()
    data = _LENGTH.pack(len(payload)) + payload
    sock.setblocking(True)
    try:
        sent = sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
        if sent < len(data):
            sock.sendall(data[sent:])
    finally:
        sock.setblocking(False)


JOB_FDS = 3


def receive_job(sock):
    """In a child: wait for the job; (request, [stdout, stderr, control fds]), or None if the
    server went."""
    fds = array.array("i")
    data, ancillary, _, _ = sock.recvmsg(65536, socket.CMSG_SPACE(JOB_FDS * fds.itemsize))
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
    if len(data) < _LENGTH.size or len(fds) != JOB_FDS:
        return None
    size = _LENGTH.unpack_from(data)[0]
    while len(data) < _LENGTH.size + size:
        more = sock.recv(65536)
        if not more:
            return None
        data += more
    return json.loads(data[_LENGTH.size:].decode()), list(fds)
