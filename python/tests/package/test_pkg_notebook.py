"""The example notebook (examples/tabular/walkthrough.ipynb) executed headless in a real kernel
(nbclient + ipykernel) of the fresh venv where the wheel is installed, with no `node` on PATH."""

import json
import shutil

from pkg_env import copy_example, no_node_env, run

EXECUTE = """
import sys, nbformat
from nbclient import NotebookClient
notebook, folder, out = sys.argv[1:4]
nb = nbformat.read(notebook, as_version=4)
NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": folder}}).execute()
nbformat.write(nb, out)
"""


def test_the_example_notebook_runs_and_shows_the_plan_and_the_results(installed, tmp_path):
    project = copy_example(tmp_path / "tabular")
    shutil.rmtree(project / ".dagtest", ignore_errors=True)
    out = tmp_path / "executed.ipynb"
    result = run(
        [str(installed / "bin" / "python"), "-c", EXECUTE, str(project / "walkthrough.ipynb"), str(project), str(out)],
        env=no_node_env(installed),
        cwd=tmp_path,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    cells = json.loads(out.read_text())["cells"]
    outputs = [o for c in cells if c["cell_type"] == "code" for o in c["outputs"]]
    assert [o for o in outputs if o["output_type"] == "error"] == []
    html = [
        "".join(o["data"]["text/html"]) if isinstance(o["data"]["text/html"], list) else o["data"]["text/html"]
        for o in outputs
        if "data" in o and "text/html" in o["data"]
    ]
    assert any("dagtest plan" in h and "SklearnTraining" in h for h in html)
    assert any("dagtest results" in h and "passed" in h for h in html)
    assert any("dagtest testing factory" in h for h in html)
    assert any("requirements of TabularPreprocessing_training" in h for h in html)
    assert any("dagtest run" in h for h in html)  # the live progress display
    text = "".join("".join(o.get("text", "")) for o in outputs if o["output_type"] == "stream")
    assert "Pipeline success: True" in text
    assert "Configuration failed [DAGTEST_INVALID_CONFIGURATION]" in text
    assert (project / ".dagtest" / "notebook" / "dagtest.yaml").exists()
