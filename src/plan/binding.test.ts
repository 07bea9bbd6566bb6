import { describe, expect, it } from "vitest";
import { bindPort, codeDirPath, inCodeDir } from "./binding.js";

describe("bindPort: a port bound as the script's own __main__ passes it", () => {
  it("keeps the interface's folder when __main__ agrees or says nothing", () => {
    expect(bindPort("/opt/ml/processing/output", undefined)).toEqual({
      rule: "interface",
      mainPath: null,
      suffix: "",
    });
    expect(bindPort("/opt/ml/processing/output", "/opt/ml/processing/output/")).toEqual({
      rule: "interface",
      mainPath: "/opt/ml/processing/output",
      suffix: "",
    });
  });

  it("passes the file inside the port's folder that __main__ passes", () => {
    expect(bindPort("/opt/ml/processing/output", "/opt/ml/processing/output/result.json")).toEqual({
      rule: "script-main",
      mainPath: "/opt/ml/processing/output/result.json",
      suffix: "result.json",
    });
  });

  it("passes the folder where the interface names a file inside it", () => {
    const binding = bindPort("/opt/ml/code/hyperparams/hyperparameters.json", "/opt/ml/code/hyperparams");
    expect(binding).toEqual({ rule: "script-main", mainPath: "/opt/ml/code/hyperparams", suffix: "" });
    expect(codeDirPath("/p/dockers", "/opt/ml/code/hyperparams/hyperparameters.json", binding)).toBe(
      "/p/dockers/hyperparams",
    );
    expect(inCodeDir("/opt/ml/code/hyperparams/hyperparameters.json", binding)).toBe(true);
  });

  it("ignores an unrelated or relative __main__ path", () => {
    expect(bindPort("/opt/ml/processing/input/data", "/somewhere/else").rule).toBe("interface");
    expect(bindPort("/opt/ml/processing/input/data", "data").mainPath).toBeNull();
  });

  it("without __main__, a code-dir input is the file the interface names", () => {
    const binding = bindPort("/opt/ml/code/hyperparams/hyperparameters.json", undefined);
    expect(codeDirPath("/p/src", "/opt/ml/code/hyperparams/hyperparameters.json", binding)).toBe(
      "/p/src/hyperparams/hyperparameters.json",
    );
    expect(inCodeDir("/opt/ml/processing/input/data", binding)).toBe(false);
  });
});
