"""Run mode: the guards: pip install blocked, stubbed modules that fail loudly when used."""

from support import PYTHON, assert_failed, assert_passed, fixture, run_script


# --- guards ---------------------------------------------------------------------------------


def test_pip_install_at_import_is_blocked(tmp_path):
    run = run_script(tmp_path, """
        import sys
        from subprocess import check_call
        check_call([sys.executable, "-m", "pip", "install", "nonexistent-pkg-xyz"])
        def main(input_paths, output_paths, environ_vars, job_args):
            pass
    """)
    assert_passed(run)
    detail = "%s -m pip install nonexistent-pkg-xyz" % PYTHON  # the script's sys.executable
    assert run.result["guardEvents"] == [{"guard": "pip-install", "detail": detail}]
    assert "[dagtest] blocked pip install: %s\n" % detail in run.stderr


def test_every_way_of_starting_pip_install_is_blocked(tmp_path):
    run = run_script(tmp_path, fixture("pip_variants.py"))
    assert_passed(run)
    assert run.read_output() == [0, 0, 0, "", "", "", 0, 0, "", ["", ""], ""]
    assert [event["detail"] for event in run.result["guardEvents"]] == [
        "pip install x", "pip install s", "cd /tmp && pip3 install -q 'y<2'",
        "python3 -m pip --quiet install z", "sudo pip3.11 install w", "bash -c pip install v",
        "pip install u", "pip install t",
    ]


def test_other_subprocesses_still_run(tmp_path):
    run = run_script(tmp_path, fixture("subprocess_passthrough.py"))
    assert_passed(run)
    assert run.read_output() == ["pip install\n", "pip install\n", 0, 3]
    assert run.result["guardEvents"] == []


def test_pip_guard_can_be_turned_off(tmp_path):
    run = run_script(tmp_path, """
        import subprocess, sys
        def main(input_paths, output_paths, environ_vars, job_args):
            out = subprocess.check_output([sys.executable, "-m", "pip", "install", "--help"])
            assert b"Usage" in out, out
    """, guards={"blockPipInstall": False, "stubModules": []})
    assert_passed(run)
    assert run.result["guardEvents"] == []


def test_stubbed_modules_import_and_fail_loudly_when_used(tmp_path):
    run = run_script(tmp_path, fixture("stubs_used.py"))
    assert_failed(run, "RuntimeError", "main")
    assert run.error["message"].startswith("dagtest: boto3.client(...) was called, but 'boto3' is stubbed")
    assert run.error["frames"][-1]["code"] == 'boto3.client("s3")'
    assert run.result["guardEvents"] == [
        {"guard": "stub", "detail": "boto3 imported as a stub"},
        {"guard": "stub", "detail": "botocore imported as a stub"},
        {"guard": "stub", "detail": "boto3.client called"},
    ]


def test_stub_wins_over_an_installed_package(tmp_path):
    run = run_script(tmp_path, """
        import numpy as np
        def main(input_paths, output_paths, environ_vars, job_args):
            np.random.default_rng(0)
    """, guards={"blockPipInstall": True, "stubModules": ["numpy"]})
    assert_failed(run, "RuntimeError", "main")
    assert "numpy.random.default_rng(...) was called, but 'numpy' is stubbed" in run.error["message"]
