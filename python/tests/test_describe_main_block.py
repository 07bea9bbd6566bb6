"""Describe mode: what the script's own ``__main__`` passes to ``main`` (paths, env conversions),
and fallback key names, read without running anything."""

from support import facts_of, keys


def test_main_paths_resolve_constants_dicts_and_joins(tmp_path):
    facts = facts_of(tmp_path, """
        import os
        BASE = "/opt/ml/processing"
        CONTAINER_PATHS = {"OUT": BASE + "/output", "CODE": "/opt/ml/code/hyperparams"}
        def main(input_paths, output_paths, environ_vars, job_args):
            pass
        if __name__ == "__main__":
            try:
                DATA = f"{BASE}/input/data"
                input_paths = {"data": DATA, "hyper": CONTAINER_PATHS["CODE"], "unknown": os.getcwd()}
                if os.path.exists("/x"):
                    input_paths["extra"] = os.path.join(BASE, "input", "extra")
                output_paths = {"result": os.path.join(CONTAINER_PATHS["OUT"], "result.json")}
                environ_vars = {
                    "FLAG": os.environ.get("FLAG", "false").lower() == "true",
                    "N": int(os.environ.get("N", "3")),
                    "TEXT": os.environ.get("TEXT", ""),
                }
                environ_vars["LATE"] = os.getenv("LATE", "true").lower() == "yes"
                main(input_paths, output_paths, environ_vars, None)
            except Exception:
                raise
    """)
    paths = facts["mainPaths"]
    assert paths["inputs"] == {
        "data": "/opt/ml/processing/input/data",
        "hyper": "/opt/ml/code/hyperparams",
        "extra": "/opt/ml/processing/input/extra",
    }
    assert paths["outputs"] == {"result": "/opt/ml/processing/output/result.json"}
    assert paths["environ"] == {
        "FLAG": {"env": "FLAG", "default": "false", "type": "bool", "equals": "true"},
        "N": {"env": "N", "default": "3", "type": "int", "equals": None},
        "LATE": {"env": "LATE", "default": "true", "type": "bool", "equals": "yes"},
    }


def test_main_called_with_keywords(tmp_path):
    facts = facts_of(tmp_path, """
        def main(input_paths, output_paths, environ_vars, job_args, logger=None):
            pass
        if __name__ == "__main__":
            result = main(input_paths={"DATA": "/opt/ml/processing/input/data"},
                          output_paths={"out": "/opt/ml/processing/output"}, environ_vars={}, job_args=None)
    """)
    assert facts["mainPaths"]["inputs"] == {"DATA": "/opt/ml/processing/input/data"}


def test_no_main_block_or_nothing_resolvable_gives_null(tmp_path):
    assert facts_of(tmp_path, "def main(a, b, c, d):\n    pass\n")["mainPaths"] is None
    facts = facts_of(tmp_path, """
        import sys
        def main(a, b, c, d):
            pass
        if __name__ == "__main__":
            main(sys.argv, sys.argv, {}, None)
    """, name="other.py")
    assert facts["mainPaths"] is None


def test_a_nested_get_default_is_a_fallback_name(tmp_path):
    facts = facts_of(tmp_path, """
        def main(input_paths, output_paths, environ_vars, job_args):
            model = input_paths.get("model_input", input_paths.get("model_dir"))
            out = output_paths.get("eval_output", output_paths.get("output_eval_dir"))
            both = input_paths.get("direct")
            again = input_paths.get("x", input_paths.get("direct"))
    """)
    reads = {r["key"]: r.get("fallbackFor") for r in facts["inputKeys"]}
    assert reads == {"model_input": None, "model_dir": "model_input", "direct": None, "x": None}
    assert {r["key"]: r.get("fallbackFor") for r in facts["outputKeys"]} == {
        "eval_output": None, "output_eval_dir": "eval_output",
    }
    assert keys(facts["inputKeys"])["model_dir"] == 2
