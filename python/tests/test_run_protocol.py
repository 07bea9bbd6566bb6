"""Run mode: the job's limits, and the protocol: malformed jobs and command lines exit 2."""

import subprocess

import pytest

from support import PASSING, PYTHON, RUNNER, assert_failed, make_job, run_script, start


# --- limits ---------------------------------------------------------------------------------


def test_memory_limit_turns_into_memory_error(tmp_path):
    run = run_script(tmp_path, """
        def main(input_paths, output_paths, environ_vars, job_args):
            block = bytearray(1024 ** 3)
    """, limits={"memoryMb": 200})
    assert_failed(run, "MemoryError", "main")
    assert run.error["frames"][-1]["code"] == "block = bytearray(1024 ** 3)"


# --- bad jobs -------------------------------------------------------------------------------


@pytest.mark.parametrize("mutate", [
    lambda job: "{not json",
    lambda job: "[1, 2]",
    lambda job: {**job, "script": 3},
    lambda job: {key: value for key, value in job.items() if key != "workDir"},
    lambda job: {**job, "environ": {"A": 1}},
    lambda job: {**job, "jobArgs": {"n": 3}},
    lambda job: {**job, "guards": {"blockPipInstall": "yes", "stubModules": []}},
    lambda job: {**job, "guards": {"blockPipInstall": True, "stubModules": ["boto3 "]}},
    lambda job: {**job, "limits": {"memoryMb": -1}},
    lambda job: {**job, "limits": {}},
    lambda job: {**job, "resultFile": "/nonexistent-dir-xyz/result.json"},
    lambda job: {**job, "protocolVersion": 2},
    lambda job: {**job, "protocolVersion": True},
])
def test_malformed_job_exits_2_without_result(tmp_path, mutate):
    job, paths = make_job(tmp_path, PASSING)
    run = start(tmp_path, mutate(job), paths)
    assert run.code == 2
    assert run.result is None
    assert run.stderr.startswith("dagtest_runner run: bad job ") and run.stderr.count("\n") == 1


def test_unknown_protocol_version_names_both_versions(tmp_path):
    job, paths = make_job(tmp_path, PASSING, protocolVersion=7)
    run = start(tmp_path, job, paths)
    assert run.code == 2
    assert "unsupported protocolVersion 7" in run.stderr and "speaks protocolVersion 1" in run.stderr


@pytest.mark.parametrize("args", [[], ["a.json", "b.json"], ["/nonexistent-xyz/job.json"]])
def test_bad_command_line_exits_2(tmp_path, args):
    proc = subprocess.run([PYTHON, str(RUNNER), "run"] + args, capture_output=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.decode().startswith("dagtest_runner run: ")
