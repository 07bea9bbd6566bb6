/**
 * What needs the frameworks of the scripts' interpreter: Parquet column statistics through its
 * pyarrow (equal to the statistics of the same table written as CSV), and LightGBM boosters loaded
 * back and asked for a prediction. Uses the real project's cached venv (pyarrow, lightgbm), built
 * by scripts/corpus-venv.sh where the cursus checkout is present; without pyarrow, a Parquet
 * file's snapshot keeps its rows and columns from the footer and says why it has no statistics.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModels, parquetColumns } from "../../src/python/inspect.js";
import { snapshotOutputs } from "../../src/snapshot/profile.js";
import { present } from "../corpus/project.js";
import { removeTempDirs, repoRoot, tempDir, testPython } from "../helpers/paths.js";

afterAll(removeTempDirs);

describe("a Parquet snapshot without pyarrow", () => {
  it("has the rows and columns from the footer and a note saying why there are no statistics", async () => {
    const dir = tempDir();
    execFileSync("cp", [path.join(repoRoot, "tests/fixtures/parquet/flat-snappy.parquet"), dir]);
    // An interpreter that surely has no pyarrow: a bare venv of the test interpreter's base.
    const base = execFileSync(testPython(), ["-c", "import sys; print(sys._base_executable)"], {
      encoding: "utf8",
    }).trim();
    const bare = path.join(tempDir(), "bare");
    execFileSync(base, ["-m", "venv", "--without-pip", bare]);
    const python = path.join(bare, "bin/python");
    const snap = await snapshotOutputs({ out: dir }, (files) => parquetColumns(python, files));
    const file = snap.out!["flat-snappy.parquet"]!;
    if (file.kind !== "table") throw new Error(`not a table: ${JSON.stringify(file)}`);
    expect(file.rows).toBeGreaterThan(0);
    expect(Object.values(file.columns).every((c) => c.type === "other" && c.nulls === null)).toBe(true);
    expect(file.note).toContain("need pyarrow in the scripts' interpreter");
  });
});

describe.skipIf(!present)("with the real project's interpreter (pyarrow, lightgbm)", () => {
  let python = "";
  let dir = "";
  beforeAll(() => {
    python = execFileSync("bash", [path.join(repoRoot, "scripts/corpus-venv.sh")], {
      encoding: "utf8",
    }).trim();
    dir = tempDir();
    execFileSync(python, [
      "-c",
      `import sys, numpy as np, pandas as pd, lightgbm as lgb
rng = np.random.default_rng(0)
frame = pd.DataFrame({"amount": rng.normal(10, 2, 200), "items": rng.integers(1, 5, 200).astype(float),
                      "country": rng.choice(["US", "DE", "FR"], 200), "label": rng.integers(0, 2, 200)})
frame.loc[3, "amount"] = None
frame.to_parquet(sys.argv[1] + "/table.parquet", index=False)
frame.to_csv(sys.argv[1] + "/table.csv", index=False)
booster = lgb.train({"objective": "binary", "verbose": -1}, lgb.Dataset(frame[["amount", "items"]], frame["label"]), 5)
booster.save_model(sys.argv[1] + "/model.txt")
text = open(sys.argv[1] + "/model.txt").read()
open(sys.argv[1] + "/truncated.txt", "w").write(text[: len(text) // 3])`,
      dir,
    ]);
  }, 600_000);

  it("computes Parquet column statistics equal to those of the same table as CSV", async () => {
    const snap = await snapshotOutputs({ out: dir }, (files) => parquetColumns(python, files));
    const parquet = snap.out!["table.parquet"]!;
    const csv = snap.out!["table.csv"]!;
    if (parquet.kind !== "table" || csv.kind !== "table") throw new Error("not tables");
    expect(parquet.note).toBeUndefined();
    expect(parquet.rows).toBe(200);
    expect(parquet.columns).toEqual(csv.columns);
    expect(parquet.columns.amount).toMatchObject({ type: "number", nulls: 1 });
    expect(parquet.columns.country).toMatchObject({ type: "string", distinct: 3 });
  });

  it("loads a LightGBM booster and predicts once; a truncated one, which aborts LightGBM, is named", async () => {
    writeFileSync(path.join(dir, "eval.csv"), "amount,items\n9.5,2\n11.0,3\n");
    const load = (file: string) =>
      loadModels(
        python,
        {
          models: [{ file: path.join(dir, file), loader: "lightgbm" }],
          evaluation: [path.join(dir, "eval.csv")],
          sysPath: [],
        },
        {},
      );
    const whole = await load("model.txt");
    if (!whole.ok) throw new Error(whole.message);
    expect(whole.value).toEqual([
      expect.objectContaining({ ok: true, predicted: true, note: "predicted 2 row(s) of eval.csv" }),
    ]);
    // LightGBM aborts the process on a corrupt model: that is why loading happens in its own process.
    const truncated = await load("truncated.txt");
    expect(truncated).toMatchObject({ ok: false, culprit: path.join(dir, "truncated.txt") });
    if (truncated.ok) throw new Error("loaded");
    expect(truncated.message).toMatch(
      /^the interpreter (crashed \(SIG[A-Z]+\)|exited with code \d+): .*LightGBM/,
    );
  });
});
