import { ColdExecutor } from "../../src/exec/cold.js";
import { executorConformance } from "./executor.suite.js";

executorConformance("cold process", () => new ColdExecutor(), "process");
