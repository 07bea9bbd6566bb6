"""python/dagtest_data/parquet.py, run as the engine runs it (src/python/parquet-helper.ts): its own
process, `python parquet.py REQUEST.json`. It leaves through os._exit after flushing, so pyarrow
cannot abort the interpreter's teardown once the work is done; nothing written is lost."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")

HELPER = Path(__file__).resolve().parents[1] / "dagtest_data" / "parquet.py"

# Loaded at start-up from PYTHONPATH: says on stderr when the interpreter's teardown runs.
SITECUSTOMIZE = 'import atexit, sys\natexit.register(lambda: sys.stderr.write("TEARDOWN RAN\\n"))\n'


def request(tmp_path, body):
    """Run one request as its own process; atexit handlers would mark a teardown on stderr."""
    (tmp_path / "site").mkdir(exist_ok=True)
    (tmp_path / "site" / "sitecustomize.py").write_text(SITECUSTOMIZE)
    file = tmp_path / "request.json"
    file.write_text(json.dumps(body))
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path / "site")}
    return subprocess.run(
        [sys.executable, str(HELPER), str(file)], capture_output=True, text=True, env=env, timeout=120
    )


def test_write_sample_and_labels_leave_without_teardown_and_lose_no_output(tmp_path):
    rows = 200_000  # the labels answer (~2 MB) is far more than one pipe buffer: flushed, not lost
    source, target = tmp_path / "all.parquet", tmp_path / "some.parquet"
    column = {"name": "y", "type": "int", "values": [i % 7 for i in range(rows)]}
    written = request(tmp_path, {"op": "write", "parts": [{"file": str(source), "columns": [column]}]})
    assert (written.returncode, written.stderr) == (0, "")
    sampled = request(tmp_path, {"op": "sample", "source": str(source), "target": str(target), "rows": [1, 3, 6]})
    assert (sampled.returncode, sampled.stderr) == (0, "")
    labels = request(tmp_path, {"op": "labels", "source": str(target), "column": "y"})
    assert (labels.returncode, labels.stderr, json.loads(labels.stdout)) == (0, "", ["1", "3", "6"])
    everything = request(tmp_path, {"op": "labels", "source": str(source), "column": "y"})
    assert everything.returncode == 0 and "TEARDOWN" not in everything.stderr
    assert json.loads(everything.stdout) == [str(i % 7) for i in range(rows)]


def test_failures_keep_their_exit_code_and_message(tmp_path):
    unknown = request(tmp_path, {"op": "shuffle"})
    assert (unknown.returncode, unknown.stderr) == (2, "unknown op 'shuffle'\n")
    missing = request(tmp_path, {"op": "labels", "source": str(tmp_path / "absent.parquet"), "column": "y"})
    assert missing.returncode == 1 and "absent.parquet" in missing.stderr and "TEARDOWN" not in missing.stderr
