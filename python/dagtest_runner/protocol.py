"""The versioned request/response framing shared by every runner mode.

Mirrors the TypeScript side (``src/model/script-facts.ts`` for ``describe``). A request whose
``protocolVersion`` this runner does not speak is rejected rather than half-understood: the
``python/`` folder and the compiled TypeScript ship together, so a mismatch means a broken
install, and guessing would turn that into wrong results.
"""

import json
import sys

# The one protocol version of runner and engine: equal to PROTOCOL_VERSION in
# src/model/protocol.ts (tests/unit/protocol-version.test.ts holds the two together).
PROTOCOL_VERSION = 1

# Exit code for a request the runner cannot act on (malformed JSON, wrong shape, unknown
# version, bad command line). 1 is left to Python itself (uncaught exception = runner bug).
EXIT_BAD_REQUEST = 2


class BadRequest(Exception):
    """A request the runner cannot act on. Reported as exit 2 plus one line on stderr."""


def parse_request(raw):
    """Parse request bytes into a dict and check its ``protocolVersion``.

    Raises ``BadRequest`` with a message fit for one stderr line.
    """
    try:
        request = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise BadRequest("request is not valid JSON: %s" % exc) from None
    if not isinstance(request, dict):
        raise BadRequest("request must be a JSON object, got %s" % type(request).__name__)
    if "protocolVersion" not in request:
        raise BadRequest("request has no protocolVersion (this runner speaks %d)" % PROTOCOL_VERSION)
    version = request["protocolVersion"]
    # type() check: JSON true would otherwise pass as 1.
    if type(version) is not int or version != PROTOCOL_VERSION:
        raise BadRequest(
            "unsupported protocolVersion %s: this runner speaks protocolVersion %d "
            "(the dagtest package and its python/ folder are out of step; reinstall dagtest)"
            % (json.dumps(version), PROTOCOL_VERSION)
        )
    return request


def string_list(request, field):
    """Return ``request[field]`` if it is a list of strings, else raise ``BadRequest``."""
    value = request.get(field)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BadRequest("request field %r must be a list of strings" % field)
    return value


def fail(who, message):
    """Write ``who: message`` as one line on stderr and return ``EXIT_BAD_REQUEST``."""
    one_line = " ".join(str(message).split())
    sys.stderr.write("%s: %s\n" % (who, one_line))
    sys.stderr.flush()
    return EXIT_BAD_REQUEST


def write_result(result):
    """Write one JSON document to stdout.

    ASCII-only on purpose: the interpreter's stdout encoding depends on the user's locale, and
    escaped JSON reads the same under every one of them.
    """
    sys.stdout.write(json.dumps(result, ensure_ascii=True, separators=(",", ":")))
    sys.stdout.write("\n")
    sys.stdout.flush()
