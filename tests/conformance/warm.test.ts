import { WarmExecutor } from "../../src/exec/warm.js";
import { executorConformance } from "./executor.suite.js";

executorConformance("warm fork server", () => new WarmExecutor(), "fork");
