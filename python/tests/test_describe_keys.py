"""Describe mode: the input, output and env keys and the job_args attributes a script reads."""

from support import describe, facts_of, keys


# --- keys -----------------------------------------------------------------------------------


def test_key_reads_with_renamed_parameters(tmp_path):
    facts = facts_of(tmp_path, """
        def main(ins, outs, env, args, logger=print):
            a = ins["DATA"]
            b = ins.get("SIGNATURE")
            c = ins.get("CONFIG", "/tmp")
            if "OPTIONAL" in ins and "NEG" not in ins:
                pass
            outs.setdefault("model", "/m")
            outs["written"] = "/w"   # a write, not a read
            d = env["LABEL"]
            e = env.get("LABEL")       # same key again: first line is kept
            f = input_paths["IGNORED"] # not the name main uses
            return ins[name]           # not a literal
    """)
    assert keys(facts["inputKeys"]) == {"CONFIG": 4, "DATA": 2, "NEG": 5, "OPTIONAL": 5, "SIGNATURE": 3}
    assert keys(facts["outputKeys"]) == {"model": 7}
    assert keys(facts["envKeys"]) == {"LABEL": 9}
    assert [entry["key"] for entry in facts["inputKeys"]] == sorted(keys(facts["inputKeys"]))


def test_reads_in_helper_functions(tmp_path):
    facts = facts_of(tmp_path, """
        def load(input_paths):
            return input_paths["from_helper"]

        def save(df, output_paths):
            return output_paths.get("helper_out")

        def main(input_paths, output_paths, environ_vars, job_args):
            load(input_paths)
            return input_paths["direct"]
    """)
    assert keys(facts["inputKeys"]) == {"direct": 9, "from_helper": 2}
    assert keys(facts["outputKeys"]) == {"helper_out": 5}


def test_env_reads_at_module_level(tmp_path):
    facts = facts_of(tmp_path, """
        import os
        import os as operating_system
        from os import environ
        from os import getenv as ge

        A = os.environ["A"]
        B = os.environ.get("B", "x")
        C = os.getenv("C")
        D = environ.get("D")
        E = environ["E"]
        F = ge("F")
        G = operating_system.environ.get("G")
        H = "H" in os.environ
        os.environ["SET_ONLY"] = "1"

        def main(input_paths, output_paths, environ_vars, job_args):
            return environ_vars["I"], os.environ.get("A")
    """)
    assert keys(facts["envKeys"]) == {"A": 6, "B": 7, "C": 8, "D": 9, "E": 10, "F": 11, "G": 12, "H": 13, "I": 17}


def test_job_args_attributes(tmp_path):
    facts = facts_of(tmp_path, """
        def main(input_paths, output_paths, environ_vars, ja):
            t = ja.job_type
            if hasattr(ja, "calibration"):
                pass
            m = getattr(ja, "mode", "x")
            job_args.not_main_param
            return ja.job_type
    """)
    assert keys(facts["jobArgAttrs"]) == {"calibration": 3, "job_type": 2, "mode": 5}


# --- source decoding ------------------------------------------------------------------------


def test_source_encoding_cookie_is_honoured(tmp_path):
    path = tmp_path / "latin.py"
    path.write_bytes("# -*- coding: latin-1 -*-\nX = 'caf\u00e9'\nY = input_paths['k']\n".encode("latin-1"))
    facts = describe([str(path)], [])["scripts"][str(path)]
    assert facts["ok"] is True
    assert keys(facts["inputKeys"]) == {"k": 3}
