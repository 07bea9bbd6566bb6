"""The Ray driver's byte shipping (python/dagtest_ray/shipping.py): stdlib only, no Ray needed."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from dagtest_ray import shipping  # noqa: E402


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(text)


def test_pack_skips_dagtest_state_and_caches_at_any_depth(tmp_path):
    write(str(tmp_path / "code" / "step.py"), "x = 1\n")
    write(str(tmp_path / "code" / "pkg" / "__pycache__" / "m.pyc"), "junk")
    write(str(tmp_path / "code" / ".dagtest" / "runs" / "r" / "out.csv"), "a\n")
    blob = shipping.pack(str(tmp_path / "code"), skip_any=shipping.NOT_CODE)
    shipping.unpack(blob, str(tmp_path / "there"))
    found = sorted(os.path.relpath(os.path.join(r, f), tmp_path / "there") for r, _, fs in os.walk(tmp_path / "there") for f in fs)
    assert found == ["step.py"]


def test_unpack_with_replace_removes_what_the_worker_deleted(tmp_path):
    write(str(tmp_path / "node" / "in" / "raw" / "part.csv"), "a,b\n")
    write(str(tmp_path / "worker" / "in" / "raw" / "other.csv"), "c\n")
    shipping.unpack(shipping.pack(str(tmp_path / "worker")), str(tmp_path / "node"), replace=True)
    assert os.listdir(tmp_path / "node" / "in" / "raw") == ["other.csv"]


def test_paths_are_remapped_by_longest_root_and_only_at_path_boundaries():
    mapping = {"/runs/r1/node": "/w/node", "/runs/r1/node/in/x": "/w/input0"}
    job = {"a": "/runs/r1/node/out/p", "b": ["/runs/r1/node/in/x/f"], "c": "/runs/r1/nodeling", "d": 3}
    assert shipping.remap(job, mapping) == {"a": "/w/node/out/p", "b": ["/w/input0/f"], "c": "/runs/r1/nodeling", "d": 3}
    assert shipping.remap_text('{"file": "/w/node/x.py"}', {"/w/node": "/runs/r1/node"}) == '{"file": "/runs/r1/node/x.py"}'


def test_tree_digest_sees_content_and_name_changes(tmp_path):
    write(str(tmp_path / "d" / "f.csv"), "1\n")
    before = shipping.tree_digest(str(tmp_path / "d"))
    write(str(tmp_path / "d" / "f.csv"), "2\n")
    assert shipping.tree_digest(str(tmp_path / "d")) != before
