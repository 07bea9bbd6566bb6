/**
 * The executor conformance suite: every executor (cold process, warm fork server) must pass it.
 * Each case is a real pipeline of small controllable Python scripts run through the engine.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Executor, ExecutorKind } from "../../src/exec/types.js";
import type { ScriptResult } from "../../src/model/run.js";
import { removeTempDirs } from "../helpers/paths.js";
import { makeProject, runProject, runRig, script, writeOutput } from "../helpers/run-rig.js";

const ok = (port = "out") => script(writeOutput(port));

type Run = { result: { scriptResults: Readonly<Record<string, ScriptResult>> } };

/** Processes whose command line contains `marker`, other than the pgrep itself. */
function processesWith(marker: string): string[] {
  try {
    return execFileSync("pgrep", ["-f", marker], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * `kind` is what every node that ran must report in `executor`: a warm executor that silently
 * fell back to cold processes would otherwise pass this suite without testing itself.
 */
export function executorConformance(name: string, make: () => Executor, kind: ExecutorKind): void {
  describe(`executor conformance: ${name}`, () => {
    const executor = make();
    const resultOf = (run: Run, node: string): ScriptResult => {
      const r = run.result.scriptResults[node];
      if (!r) throw new Error(`no result for ${node}`);
      if (r.startedAt !== null && r.reason !== "cancelled") expect(r.executor, node).toBe(kind);
      return r;
    };
    afterAll(async () => {
      await executor.close();
      removeTempDirs();
    });

    it("passes outputs forward along wires and profiles the data on each edge", async () => {
      const run = await runRig(
        {
          nodes: {
            make: { source: ok("table"), outputs: ["table"] },
            use: {
              source: script(
                `rows = open(os.path.join(input_paths["table"], "part.csv")).read()\n${writeOutput("copy", "c.csv", "x\\n")}\nassert rows.startswith("a,b"), rows`,
              ),
              inputs: ["table"],
              outputs: ["copy"],
            },
          },
          edges: [["make", "use"]],
        },
        executor,
      );
      expect(resultOf(run, "make").status).toBe("passed");
      expect(resultOf(run, "use").status).toBe("passed");
      expect(run.result.pipelineSuccess).toBe(true);
      expect(run.result.executionOrder).toEqual(["make", "use"]);
      const flow = run.result.dataFlowResults.find((f) => f.from.node === "make");
      expect(flow).toMatchObject({
        ok: true,
        files: 1,
        rows: 1,
        columns: ["a", "b"],
        to: { node: "use", port: "table" },
      });
    });

    it("reports each fault on its node with a clear reason while other branches go on", async () => {
      const run = await runRig(
        {
          nodes: {
            raises: { source: script('raise ValueError("bad label column")'), outputs: ["out"] },
            exits: { source: script("sys.exit(1)"), outputs: ["out"] },
            hard_exit: { source: script("os._exit(3)"), outputs: ["out"] },
            segfault: { source: script("import ctypes\nctypes.string_at(0)"), outputs: ["out"] },
            silent: { source: script("pass"), outputs: ["out"] },
            missing_module: {
              source: "import no_such_module_dagtest\n\ndef main(a, b, c, d):\n    pass\n",
              outputs: ["out"],
            },
            healthy: { source: ok(), outputs: ["out"] },
            after_failure: { source: ok(), inputs: ["out"], outputs: ["out"] },
          },
          edges: [["raises", "after_failure"]],
        },
        executor,
        { concurrency: 2 },
      );
      expect(resultOf(run, "raises")).toMatchObject({ status: "failed", reason: "exception" });
      expect(resultOf(run, "raises").message).toContain("ValueError: bad label column");
      expect(resultOf(run, "raises").error?.frames.at(-1)?.line).toBe(5);
      expect(resultOf(run, "exits")).toMatchObject({ status: "failed", reason: "exit-non-zero" });
      expect(resultOf(run, "hard_exit")).toMatchObject({
        status: "failed",
        reason: "no-result",
        exitCode: 3,
      });
      expect(resultOf(run, "segfault")).toMatchObject({
        status: "failed",
        reason: "signal",
        signal: "SIGSEGV",
      });
      expect(resultOf(run, "silent")).toMatchObject({ status: "failed", reason: "missing-output" });
      // The plan already knows the module cannot be imported: the node fails before it starts.
      expect(resultOf(run, "missing_module")).toMatchObject({ status: "failed", reason: "not-ready" });
      expect(resultOf(run, "missing_module").message).toContain("no_such_module_dagtest");
      expect(resultOf(run, "healthy").status).toBe("passed");
      expect(resultOf(run, "after_failure")).toMatchObject({ status: "skipped", reason: "upstream-failed" });
      expect(run.result.pipelineSuccess).toBe(false);
    });

    it("stops a hanging script at its timeout, and a greedy one at its memory limit", async () => {
      const started = performance.now();
      const run = await runRig(
        {
          nodes: {
            hangs: { source: script("time.sleep(600)"), outputs: ["out"], timeout: 1 },
            greedy: { source: script("blob = bytearray(4 * 1024 ** 3)"), outputs: ["out"], memoryMb: 400 },
          },
        },
        executor,
      );
      expect(resultOf(run, "hangs")).toMatchObject({ status: "failed", reason: "timeout" });
      expect(resultOf(run, "greedy")).toMatchObject({ status: "failed", reason: "memory-limit" });
      expect(performance.now() - started).toBeLessThan(20_000);
    });

    it("bounds a log that a script floods with 100 MB and keeps its tail", async () => {
      const body = `chunk = "x" * (1024 * 1024)\nfor _ in range(100):\n    sys.stdout.write(chunk)\nprint("THE END")\n${writeOutput("out")}`;
      const run = await runRig(
        { nodes: { loud: { source: script(body), outputs: ["out"] } }, run: { max_log_mb: 2 } },
        executor,
      );
      const r = resultOf(run, "loud");
      expect(r.status).toBe("passed");
      expect(statSync(r.logs!.stdout).size).toBeLessThan(3 * 1024 * 1024);
      expect(r.logs!.droppedBytes.stdout).toBeGreaterThan(90 * 1024 * 1024);
      expect(readFileSync(r.logs!.stdout, "utf8").trimEnd().endsWith("THE END")).toBe(true);
    });

    it("fails a script that deletes or edits its input, and never a script that only reads it", async () => {
      const data = { "part.csv": "a,b\n1,2\n" };
      const run = await runRig(
        {
          nodes: {
            deleter: {
              source: script(
                `os.remove(os.path.join(input_paths["raw"], "part.csv"))\n${writeOutput("out")}`,
              ),
              inputs: ["raw"],
              outputs: ["out"],
            },
            editor: {
              source: script(
                `open(os.path.join(input_paths["raw"], "part.csv"), "a").write("3,4\\n")\n${writeOutput("out")}`,
              ),
              inputs: ["raw"],
              outputs: ["out"],
            },
            reader: {
              source: script(
                `open(os.path.join(input_paths["raw"], "part.csv")).read()\n${writeOutput("out")}`,
              ),
              inputs: ["raw"],
              outputs: ["out"],
            },
          },
          data: { deleter: { raw: data }, editor: { raw: data }, reader: { raw: data } },
        },
        executor,
      );
      expect(resultOf(run, "deleter")).toMatchObject({ status: "failed", reason: "input-modified" });
      expect(resultOf(run, "editor")).toMatchObject({ status: "failed", reason: "input-modified" });
      expect(resultOf(run, "reader").status).toBe("passed");
    });

    it("isolates consecutive jobs: no env or module state leaks from one to the next", async () => {
      const run = await runRig(
        {
          nodes: {
            first: {
              source: script(
                `os.environ["DAGTEST_LEAK"] = "1"\nimport json\njson.dagtest_leak = True\n${writeOutput("out")}`,
              ),
              outputs: ["out"],
            },
            second: {
              source: script(
                `import json\nassert "DAGTEST_LEAK" not in os.environ\nassert not hasattr(json, "dagtest_leak")\n${writeOutput("out")}`,
              ),
              inputs: ["out"],
              outputs: ["out"],
            },
          },
          edges: [["first", "second"]],
        },
        executor,
        { concurrency: 1 },
      );
      expect(resultOf(run, "second").status).toBe("passed");
    });

    it("re-imports a script edited on disk between two runs", async () => {
      const version = (v: string) => script(writeOutput("out", "part.csv", `v\\n${v}\\n`));
      const dir = makeProject({ nodes: { step: { source: version("1"), outputs: ["out"] } } });
      const first = await runProject(dir, executor);
      expect(readFileSync(path.join(resultOf(first, "step").outputs.out!, "part.csv"), "utf8")).toBe(
        "v\n1\n",
      );
      writeFileSync(path.join(dir, "scripts", "step.py"), version("two"));
      const second = await runProject(dir, executor);
      expect(resultOf(second, "step").status).toBe("passed");
      expect(readFileSync(path.join(resultOf(second, "step").outputs.out!, "part.csv"), "utf8")).toBe(
        "v\ntwo\n",
      );
    });

    it("re-imports a sibling module edited on disk between two runs", async () => {
      const body = `import helper\n${writeOutput("out")}\nopen(os.path.join(output_paths["out"], "v.txt"), "w").write(helper.VERSION)`;
      const dir = makeProject({ nodes: { step: { source: script(body), outputs: ["out"] } } });
      writeFileSync(path.join(dir, "scripts", "helper.py"), 'VERSION = "1"\n');
      const first = await runProject(dir, executor);
      expect(readFileSync(path.join(resultOf(first, "step").outputs.out!, "v.txt"), "utf8")).toBe("1");
      writeFileSync(path.join(dir, "scripts", "helper.py"), 'VERSION = "second"\n');
      const second = await runProject(dir, executor);
      expect(readFileSync(path.join(resultOf(second, "step").outputs.out!, "v.txt"), "utf8")).toBe("second");
    });

    it("gives each job only its own environment and fresh module state, even with a preload", async () => {
      // With `preload:` a fork server has json and numpy imported before either job starts; each
      // job must still see the state a fresh process would: its env only, no attribute set by
      // the job before, and its own random numbers (numpy's global generator is not reseeded
      // by a fork on its own).
      const draw = `import numpy\nos.makedirs(output_paths["out"], exist_ok=True)\nopen(os.path.join(output_paths["out"], "draw.txt"), "w").write(repr(numpy.random.random()))`;
      const run = await runRig(
        {
          nodes: {
            first: {
              source: script(`json.dagtest_leak = True\nos.environ["DAGTEST_LEAK"] = "1"\n${draw}`),
              outputs: ["out"],
              env: { ONLY_FIRST: "yes" },
            },
            second: {
              source: script(
                [
                  'assert "ONLY_FIRST" not in os.environ and "DAGTEST_LEAK" not in os.environ, "env leaked"',
                  'assert os.environ["ONLY_SECOND"] == environ_vars["ONLY_SECOND"] == "yes"',
                  'assert not hasattr(json, "dagtest_leak"), "module state leaked"',
                  draw,
                ].join("\n"),
              ),
              inputs: ["out"],
              outputs: ["out"],
              env: { ONLY_SECOND: "yes" },
            },
          },
          edges: [["first", "second"]],
          run: { preload: ["json", "numpy.random"] },
        },
        executor,
        { concurrency: 1 },
      );
      expect(resultOf(run, "first").status).toBe("passed");
      expect(resultOf(run, "second").status).toBe("passed");
      const drawn = ["first", "second"].map((n) =>
        readFileSync(path.join(resultOf(run, n).outputs.out!, "draw.txt"), "utf8"),
      );
      expect(drawn[0]).not.toBe(drawn[1]);
    });

    it("ends a node when main returns or times out, and kills what it started in other sessions", async () => {
      const marker = `dagtest_stray_${process.pid}_${Date.now()}`;
      // Holds the log pipes from a session of its own; the second one is daemonised, output redirected.
      const detach = (tag: string, redirect: boolean) =>
        `subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "${marker}_${tag}"], start_new_session=True${redirect ? ", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL" : ""})`;
      const started = performance.now();
      const run = await runRig(
        {
          nodes: {
            returns: {
              source: script(
                `import subprocess\n${detach("held", false)}\n${detach("quiet", true)}\n${writeOutput("out")}`,
              ),
              outputs: ["out"],
            },
            hangs: {
              source: script(`import subprocess\n${detach("late", false)}\ntime.sleep(600)`),
              outputs: ["out"],
              timeout: 2,
            },
          },
        },
        executor,
        { concurrency: 2 },
      );
      const returns = resultOf(run, "returns");
      expect(returns.status).toBe("passed");
      expect(returns.durationMs).toBeLessThan(5_000);
      const strays = returns.guardEvents.filter((e) => e.guard === "stray-process").map((e) => e.detail);
      expect(strays.join("\n")).toContain(`${marker}_held`);
      expect(strays.join("\n")).toContain(`${marker}_quiet`);
      expect(resultOf(run, "hangs")).toMatchObject({ status: "failed", reason: "timeout" });
      expect(resultOf(run, "hangs").durationMs).toBeLessThan(6_000);
      expect(performance.now() - started).toBeLessThan(15_000);
      expect(processesWith(marker)).toEqual([]);
    });

    it("does not wait for the log pipes that a process outliving a killed runner holds", async () => {
      // The runner itself is SIGKILLed, so it cannot end what the script started: the node still
      // ends at once (the stray is then the test's to kill).
      const body = `import signal, subprocess\np = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)\nopen(os.path.join(output_paths["out"], "pid"), "w").write(str(p.pid))\nos.kill(os.getpid(), signal.SIGKILL)`;
      const run = await runRig({ nodes: { killed: { source: script(body), outputs: ["out"] } } }, executor);
      const killed = resultOf(run, "killed");
      const pid = Number(readFileSync(path.join(run.result.runDir, "killed", "out", "out", "pid"), "utf8"));
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
      expect(killed).toMatchObject({ status: "failed", reason: "signal", signal: "SIGKILL" });
      expect(killed.durationMs).toBeLessThan(5_000);
    });

    it("stops cleanly when cancelled: nothing left running, finished nodes kept in run.json", async () => {
      const marker = `dagtest_cancel_${process.pid}_${Date.now()}`;
      const controller = new AbortController();
      const hang = script(
        `import subprocess\nsubprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "${marker}"])\ntime.sleep(600)`,
      );
      const run = await runRig(
        {
          nodes: {
            quick: { source: ok(), outputs: ["out"] },
            slow: { source: hang, inputs: ["out"], outputs: ["out"] },
            never: { source: ok(), inputs: ["out"], outputs: ["out"] },
          },
          edges: [
            ["quick", "slow"],
            ["slow", "never"],
          ],
        },
        executor,
        {
          signal: controller.signal,
          onEvent: (e) => {
            if (e.type === "nodeStart" && e.node === "slow") setTimeout(() => controller.abort(), 700);
          },
        },
      );
      expect(resultOf(run, "quick").status).toBe("passed");
      expect(resultOf(run, "slow").status).toBe("cancelled");
      expect(resultOf(run, "never").status).toBe("cancelled");
      expect(run.result.interrupted).toBe(true);
      expect(processesWith(marker)).toEqual([]);
      const record = JSON.parse(readFileSync(path.join(run.result.runDir, "run.json"), "utf8"));
      expect(record.result.scriptResults.quick.status).toBe("passed");
      expect(existsSync(path.join(run.result.runDir, "quick", "out", "out", "part.csv"))).toBe(true);
    });
  });
}
