"""Run mode: ``DAGTEST_SEED`` (dagtest.yaml ``run.seed``) seeds the global random state before main."""

from support import assert_passed, run_script

DRAWS = """
    import json, os, random
    import numpy as np
    def main(input_paths, output_paths, environ_vars, job_args):
        with open(os.path.join(output_paths["out"], "out.json"), "w") as f:
            json.dump({"random": random.random(), "numpy": float(np.random.rand())}, f)
"""


def draws(tmp_path, name, seed):
    folder = tmp_path / name
    folder.mkdir()
    run = run_script(folder, DRAWS, environ={"DAGTEST_SEED": seed} if seed is not None else {})
    assert_passed(run)
    return run.read_output()


def test_the_same_seed_gives_the_same_draws_and_another_seed_others(tmp_path):
    first, second, other = draws(tmp_path, "a", "42"), draws(tmp_path, "b", "42"), draws(tmp_path, "c", "7")
    assert first == second
    assert first["random"] != other["random"] and first["numpy"] != other["numpy"]


def test_without_a_seed_nothing_is_seeded(tmp_path):
    assert draws(tmp_path, "a", None) != draws(tmp_path, "b", None)


def test_a_seed_that_is_not_a_number_is_ignored(tmp_path):
    assert draws(tmp_path, "a", "soon") != draws(tmp_path, "b", "soon")
