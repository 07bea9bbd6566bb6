import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir, testPython } from "../../tests/helpers/paths.js";
import type { SynthRecipe } from "../model/synth.js";
import { hashTree } from "../util/files.js";
import { writeRecipe } from "./write.js";

afterAll(removeTempDirs);

const CRADLE = ["DATA", "SIGNATURE", "METADATA"];

function recipe(over: Partial<SynthRecipe> = {}): SynthRecipe {
  const col = (name: string, kind: SynthRecipe["columns"][number]["kind"], missing = 0) => ({
    name,
    fileName: name.replaceAll(".", "__DOT__"),
    kind,
    source: "t",
    kindSource: "t",
    missing,
  });
  return {
    recipeVersion: 1,
    node: "CradleDataLoading_training",
    rows: 101,
    seed: 3,
    format: "csv",
    header: true,
    parts: 2,
    layoutSource: "t",
    columns: [
      col("order_id", "id"),
      col("Abuse.n_count", "numeric", 0.2),
      col("PAYMETH", "categorical"),
      col("y", "label"),
    ],
    label: { name: "y", classes: [0, 1], source: "t" },
    id: { name: "order_id", source: "t" },
    dates: { start: "2025-01-01", days: 10 },
    ...over,
  };
}

describe("writing a recipe in the Cradle layout", () => {
  it("writes data to every port that is not the signature or the metadata", () => {
    const dir = tempDir();
    writeRecipe(recipe({ parts: 1 }), dir, testPython(), ["output_data", "SIGNATURE"]);
    expect(readdirSync(path.join(dir, "output_data"))).toEqual(["part-00000.csv"]);
    expect(readdirSync(path.join(dir, "SIGNATURE"))).toEqual(["signature"]);
    expect(readdirSync(dir).sort()).toEqual(["SIGNATURE", "output_data"]);
  });

  it("writes header CSV shards, the signature the preprocessing step reads, and metadata", () => {
    const dir = tempDir();
    writeRecipe(recipe(), dir, testPython(), CRADLE);
    expect(readdirSync(path.join(dir, "DATA"))).toEqual(["part-00000.csv", "part-00001.csv"]);
    const shards = ["part-00000.csv", "part-00001.csv"].map((f) =>
      readFileSync(path.join(dir, "DATA", f), "utf8")
        .trim()
        .split("\n"),
    );
    expect(shards.map((s) => s.length)).toEqual([51, 52]);
    expect(shards[0]![0]).toBe("order_id,Abuse__DOT__n_count,PAYMETH,y");
    expect(shards[0]!.slice(1).some((line) => line.split(",")[1] === "")).toBe(true);
    expect(readFileSync(path.join(dir, "SIGNATURE/signature"), "utf8")).toBe(
      "order_id,Abuse__DOT__n_count,PAYMETH,y\n",
    );
    const meta = JSON.parse(readFileSync(path.join(dir, "METADATA/metadata"), "utf8"));
    expect(meta).toMatchObject({ synthetic: true, rows: 101 });
  });

  it("writes the same bytes for the same recipe; headerless when the config says so", () => {
    const [a, b, c] = [tempDir(), tempDir(), tempDir()];
    writeRecipe(recipe(), a, testPython(), CRADLE);
    writeRecipe(recipe(), b, testPython(), CRADLE);
    writeRecipe(recipe({ header: false, format: "tsv" }), c, testPython(), CRADLE);
    expect(hashTree(a)).toBe(hashTree(b));
    const first = readFileSync(path.join(c, "DATA/part-00000.tsv"), "utf8").split("\n")[0]!;
    expect(first.split("\t")).toHaveLength(4);
    expect(first).not.toContain("order_id");
  });

  it("writes Parquet through the scripts' interpreter, read back by pandas with types and nulls", () => {
    const dir = tempDir();
    writeRecipe(recipe({ format: "parquet" }), dir, testPython(), CRADLE);
    const read = execFileSync(
      testPython(),
      [
        "-c",
        [
          "import glob, json, sys, pandas as pd",
          "df = pd.concat(pd.read_parquet(f) for f in sorted(glob.glob(sys.argv[1] + '/DATA/part-*.parquet')))",
          "print(json.dumps({'rows': len(df), 'columns': list(df.columns), 'types': [str(t) for t in df.dtypes],",
          "  'nulls': int(df['Abuse__DOT__n_count'].isna().sum()), 'ids': int(df['order_id'].nunique())}))",
        ].join("\n"),
        dir,
      ],
      { encoding: "utf8" },
    );
    const got = JSON.parse(read) as {
      rows: number;
      columns: string[];
      types: string[];
      nulls: number;
      ids: number;
    };
    expect(got.rows).toBe(101);
    expect(got.ids).toBe(101);
    expect(got.columns).toEqual(["order_id", "Abuse__DOT__n_count", "PAYMETH", "y"]);
    expect(got.types).toEqual(["int64", "float64", "object", "int64"]);
    expect(got.nulls).toBeGreaterThan(5);
  });
});
