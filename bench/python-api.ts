/**
 * `npm run bench -- python-api`: what the Python package adds over the engine, on a copy of
 * examples/tabular (the checkout's python/dagtest on dist/, the .venv's Python):
 * 1. `python-factory-create`: `InteractiveRuntimeTestingFactory(project=...)`, engine process
 *    start and handshake included (median of 5, each a new engine).
 * 2. `python-call`: one round trip, `get_pending_script_configurations()` (median of 200).
 * 3. `python-configure`: `configure_script_testing` with validation (median of 100).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dir = mkdtempSync(path.join(os.tmpdir(), "dagtest-bench-py-"));
cpSync(path.join(root, "examples/tabular"), dir, {
  recursive: true,
  filter: (src) => !src.includes(`${path.sep}.dagtest`),
});

const script = String.raw`
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
import dagtest
spec = sys.argv[2]
def median_ms(fn, n):
    times = []
    for _ in range(n):
        t = time.perf_counter(); fn(); times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)
create = median_ms(lambda: dagtest.InteractiveRuntimeTestingFactory(project=spec, progress=False).close(), 5)
f = dagtest.InteractiveRuntimeTestingFactory(project=spec, progress=False)
call = median_ms(f.get_pending_script_configurations, 200)
configure = median_ms(lambda: f.configure_script_testing("TabularPreprocessing_training", environment_variables={"TRAIN_RATIO": 0.8}), 100)
f.close()
print(json.dumps({"create": create, "call": call, "configure": configure}))
`;
try {
  const run = spawnSync(
    path.join(root, ".venv/bin/python"),
    ["-c", script, path.join(root, "python"), path.join(dir, "dagtest.yaml")],
    { encoding: "utf8", cwd: dir },
  );
  if (run.status !== 0) throw new Error(run.stderr);
  const figures = JSON.parse(run.stdout) as { create: number; call: number; configure: number };
  console.log(`python-factory-create: ${figures.create.toFixed(0)} ms`);
  console.log(`python-call: ${figures.call.toFixed(2)} ms`);
  console.log(`python-configure: ${figures.configure.toFixed(2)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
