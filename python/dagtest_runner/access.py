"""Who may use a fork server, and the record a kept one leaves behind.

The socket is private to its user (mode 0600 in a 0700 folder); on top of that a connection from
another user is dropped, and a kept server (one that outlives the command that started it, found
through ``.dagtest/warm/<key>.json``) refuses a request without the random token of its record.
"""

import hmac
import json
import os
import socket
import struct


def token_matches(request, token):
    """The request carries the kept server's token (compared in constant time)."""
    given = request.get("token", "")
    return isinstance(given, str) and hmac.compare_digest(given, token)


def same_user(conn):
    """Only the user who owns the server may use it (the socket's mode says so too)."""
    if not hasattr(socket, "SO_PEERCRED"):
        return True
    try:
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except OSError:
        return False
    return struct.unpack("3i", creds)[1] == os.getuid()


def forget_record(record):
    """A kept server that stops removes the record that points at it (if it still does)."""
    if not record:
        return
    try:
        with open(record) as handle:
            if json.load(handle).get("pid") == os.getpid():
                os.unlink(record)
    except (OSError, ValueError, AttributeError):
        pass
