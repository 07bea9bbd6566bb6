import { describe, expect, it } from "vitest";
import { bestNameMatch, normalizeName, semanticSimilarity } from "./semantic.js";

// Expected similarities are worked out by hand from cursus's formula:
//   0.30·ratio + 0.25·jaccard + 0.25·synonym + 0.20·substring
// where `ratio` is difflib's (values checked with CPython's difflib).

describe("normalizeName", () => {
  it("lowercases and turns _ - . into word breaks", () => {
    expect(normalizeName("Model_Output-Path.v2")).toBe("model output path v2");
  });

  it("drops other punctuation without splitting words, and does not split camelCase", () => {
    expect(normalizeName("model/artifacts!")).toBe("modelartifacts");
    expect(normalizeName("ModelArtifacts")).toBe("modelartifacts");
  });

  it("expands whole-word abbreviations only", () => {
    expect(normalizeName("eval_data")).toBe("evaluation data");
    expect(normalizeName("hyperparams")).toBe("hyperparameters");
    expect(normalizeName("config_params")).toBe("configuration parameters");
    expect(normalizeName("preprocess_reg_pkg")).toBe("preprocessing registration package");
    expect(normalizeName("packaged_model")).toBe("package model");
    expect(normalizeName("evaluation")).toBe("evaluation");
    expect(normalizeName("regression")).toBe("regression");
  });

  it("removes stop words and collapses whitespace", () => {
    expect(normalizeName("the_model_of__the  data")).toBe("model data");
    expect(normalizeName("a")).toBe("");
  });
});

describe("semanticSimilarity", () => {
  it("is 1 for identical names and for names that normalise the same", () => {
    expect(semanticSimilarity("processed_data", "processed_data")).toBe(1);
    expect(semanticSimilarity("Processed-Data", "processed.data")).toBe(1);
  });

  it("is 1 after abbreviation expansion", () => {
    expect(semanticSimilarity("eval_data", "evaluation_data")).toBe(1);
    expect(semanticSimilarity("hyperparams", "hyperparameters")).toBe(1);
    expect(semanticSimilarity("config.json", "configuration-json")).toBe(1);
  });

  it("ignores stop words", () => {
    expect(semanticSimilarity("the_model_of_data", "model-data")).toBe(1);
  });

  it("is 0 when either raw name is empty", () => {
    expect(semanticSimilarity("", "x")).toBe(0);
    expect(semanticSimilarity("x", "")).toBe(0);
  });

  it("scores synonyms at 0.8 per token pair", () => {
    // "model" vs "artifact": no common character (ratio 0), jaccard 0, no substring;
    // one pair, synonyms (model group) → 0.25 · 0.8 = 0.2.
    expect(semanticSimilarity("model", "artifact")).toBeCloseTo(0.2, 12);
    // {model, output} × {trained, artifact}: all four pairs are synonyms → 0.8 → 0.2;
    // ratio("model output", "trained artifact") = 0.2857142857142857 → 0.0857142857142857.
    expect(semanticSimilarity("model_output", "trained_artifact")).toBeCloseTo(0.2857142857142857, 12);
  });

  it("combines all four measures", () => {
    // "data" vs "processed data": ratio 8/18 → 0.1333…; jaccard 1/2 → 0.125;
    // synonym (data~processed 0.8 + data=data 1)/2 = 0.9 → 0.225; substring 4/14 → 0.0571…
    expect(semanticSimilarity("DATA", "processed_data")).toBeCloseTo(0.5404761904761904, 12);
    // "training data" vs "processed data": ratio 0.4444… → 0.1333…; jaccard 1/3 → 0.0833…;
    // synonym (0.8+0.8+0.8+1)/4 = 0.85 → 0.2125; substring: word "data" = "data" → 1 → 0.2.
    expect(semanticSimilarity("training_data", "processed_data")).toBeCloseTo(0.6291666666666667, 12);
    // "evaluation data" vs "evaluation output": ratio 0.75 → 0.225; jaccard 1/3 → 0.0833…;
    // synonym 1/4 → 0.0625; substring: word "evaluation" = "evaluation" → 0.2.
    expect(semanticSimilarity("evaluation_data", "eval_output")).toBeCloseTo(0.5708333333333333, 12);
  });

  it("uses the word-level substring score only for words of 3+ characters", () => {
    // "train" vs "fit": ratio 2/8 → 0.075; synonyms (training group) → 0.2; no substring.
    expect(semanticSimilarity("train", "fit")).toBeCloseTo(0.275, 12);
  });

  it("is symmetric on these inputs", () => {
    expect(semanticSimilarity("processed_data", "DATA")).toBeCloseTo(
      semanticSimilarity("DATA", "processed_data"),
    );
  });
});

describe("bestNameMatch", () => {
  it("returns the best candidate and keeps the earlier one on ties", () => {
    // DATA vs input_data: ratio 8/14 → 0.1714…; jaccard 0.5 → 0.125; synonym 0.9 → 0.225;
    // substring 4/10 → 0.08. Total 0.6014…, better than processed_data (0.5405).
    const best = bestNameMatch("DATA", ["processed_data", "input_data", "training_data"]);
    expect(best?.candidate).toBe("input_data");
    expect(best?.similarity).toBeCloseTo(0.6014285714285714, 12);
    expect(bestNameMatch("x", ["a_x", "a_x"])?.candidate).toBe("a_x");
    expect(bestNameMatch("data", ["dataset", "data", "data"])).toEqual({ candidate: "data", similarity: 1 });
  });

  it("returns null with no candidates", () => {
    expect(bestNameMatch("data", [])).toBeNull();
  });
});
