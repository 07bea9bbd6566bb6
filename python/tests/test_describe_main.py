"""Describe mode: finding main and its parameters, and the names reads are looked for under."""

import pytest

from support import facts_of, keys


# --- main -----------------------------------------------------------------------------------


def test_main_with_four_params(tmp_path):
    facts = facts_of(tmp_path, """
        import os

        def main(input_paths, output_paths, environ_vars, job_args):
            pass
    """)
    assert facts["main"] == {"line": 3, "params": ["input_paths", "output_paths", "environ_vars", "job_args"], "varArgs": False}


def test_main_with_logger_default(tmp_path):
    facts = facts_of(tmp_path, "def main(a, b, c, d, logger=None):\n    pass\n")
    assert facts["main"] == {"line": 1, "params": ["a", "b", "c", "d", "logger"], "varArgs": False}


def test_main_with_varargs_and_posonly(tmp_path):
    assert facts_of(tmp_path, "def main(*args, **kw): pass\n")["main"]["varArgs"] is True
    facts = facts_of(tmp_path, "def main(a, /, b, *rest, k=1): pass\n", name="posonly.py")
    assert facts["main"] == {"line": 1, "params": ["a", "b"], "varArgs": True}


def test_main_with_three_params(tmp_path):
    facts = facts_of(tmp_path, "def main(ins, outs, env):\n    return ins['x'], job_args.t\n")
    assert facts["main"]["params"] == ["ins", "outs", "env"]
    assert keys(facts["inputKeys"]) == {"x": 2}
    # The missing 4th position falls back to the conventional name.
    assert keys(facts["jobArgAttrs"]) == {"t": 2}


def test_no_main_uses_conventional_names(tmp_path):
    facts = facts_of(tmp_path, """
        def run(input_paths, output_paths, environ_vars):
            return input_paths["DATA"], output_paths["OUT"], environ_vars.get("LABEL")
    """)
    assert facts["main"] is None
    assert keys(facts["inputKeys"]) == {"DATA": 2}
    assert keys(facts["outputKeys"]) == {"OUT": 2}
    assert keys(facts["envKeys"]) == {"LABEL": 2}


@pytest.mark.parametrize("source", [
    "def main(a, b, c, d): pass\nmain = wrap(main)\n",
    "def main(a, b, c, d): pass\nfrom other import main\n",
    "async def main(a, b, c, d): pass\n",
    "main = lambda a, b, c, d: None\n",
    "if True:\n    def main(a, b, c, d): pass\n",
])
def test_main_not_a_plain_top_level_def(tmp_path, source):
    assert facts_of(tmp_path, source)["main"] is None


def test_last_binding_of_main_wins(tmp_path):
    facts = facts_of(tmp_path, "from other import main\n\ndef main(x): pass\n")
    assert facts["main"] == {"line": 3, "params": ["x"], "varArgs": False}
