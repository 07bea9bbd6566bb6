"""The installed package is typed (py.typed): a user's code that uses the factory type-checks
with `mypy --strict`, and a wrong use of a returned value is caught."""

import textwrap

from pkg_env import no_node_env, run

USER_CODE = """
from typing import List
from dagtest import ConfigurationError, InteractiveRuntimeTestingFactory, ScriptTestingRequirements, TestingResults

factory = InteractiveRuntimeTestingFactory("pipeline.dag.json", "config.json", interfaces=["interfaces"])
scripts: List[str] = factory.get_scripts_requiring_testing()
req: ScriptTestingRequirements = factory.get_script_testing_requirements(scripts[0])
needed: List[str] = [i.name for i in req.expected_inputs if i.required]
try:
    factory.configure_script_testing(scripts[0], expected_inputs={"DATA": "data/train"}, job_arguments={"n": 3})
except ConfigurationError as error:
    code: str = error.code
results: TestingResults = factory.execute_dag_guided_testing()
ok: bool = results.pipeline_success and results.script_results[scripts[0]].success
"""

WRONG = """
from dagtest import InteractiveRuntimeTestingFactory

factory = InteractiveRuntimeTestingFactory(project="dagtest.yaml")
count: int = factory.get_testing_factory_summary().pending_scripts
factory.configure_script_testing("A", expected_inputz={"DATA": "x"})
"""


def test_user_code_type_checks_against_the_installed_package(installed, tmp_path):
    (tmp_path / "good.py").write_text(textwrap.dedent(USER_CODE))
    (tmp_path / "wrong.py").write_text(textwrap.dedent(WRONG))
    mypy = [str(installed / "bin" / "python"), "-m", "mypy", "--strict", "--no-incremental"]
    env = no_node_env(installed)
    good = run([*mypy, "good.py"], cwd=tmp_path, env=env)
    assert good.returncode == 0, good.stdout
    wrong = run([*mypy, "wrong.py"], cwd=tmp_path, env=env)
    assert wrong.returncode == 1
    assert 'Incompatible types in assignment (expression has type "list[str]", variable has type "int")' in wrong.stdout
    assert 'Unexpected keyword argument "expected_inputz"' in wrong.stdout
