"""Write or sample Parquet files with pyarrow: `python parquet.py REQUEST.json`.

Requests (JSON):
  {"op": "write", "parts": [{"file": F, "columns": [{"name": N, "type": "int"|"float"|"string", "values": [...]}]}]}
  {"op": "sample", "source": F, "target": G, "rows": [i, j, ...]}            take these row indices
  {"op": "labels", "source": F, "column": C}                                  print the column as JSON
Exit 3 with a message on stderr when pyarrow is missing.
"""
import json
import os
import sys
import traceback

TYPES = {"int": "int64", "float": "float64", "string": "string"}


def main(argv):
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        sys.stderr.write(f"pyarrow is not installed in {sys.executable}: {exc}\n")
        return 3
    with open(argv[1]) as f:
        request = json.load(f)
    op = request["op"]
    if op == "write":
        for part in request["parts"]:
            arrays = [pa.array(c["values"], type=getattr(pa, TYPES[c["type"]])()) for c in part["columns"]]
            table = pa.table(arrays, names=[c["name"] for c in part["columns"]])
            pq.write_table(table, part["file"])
    elif op == "sample":
        table = pq.read_table(request["source"])
        pq.write_table(table.take(pa.array(request["rows"], type=pa.int64())), request["target"])
    elif op == "labels":
        table = pq.read_table(request["source"])
        if request.get("column") in table.column_names:
            values = table.column(request["column"]).to_pylist()
        else:
            values = [None] * table.num_rows
        sys.stdout.write(json.dumps([None if v is None else str(v) for v in values]))
    else:
        sys.stderr.write(f"unknown op {op!r}\n")
        return 2
    return 0


def exit_now(code):
    """Flush, then leave without the interpreter's teardown: pyarrow's thread pool can abort it
    ("terminate called without an active exception", SIGABRT) after the work is done."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    try:
        status = main(sys.argv)
    except Exception:
        traceback.print_exc()
        status = 1
    exit_now(status)
