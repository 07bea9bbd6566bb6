/** `dagtest snapshots prune [PATH]`: remove the snapshots of nodes the pipeline no longer has. */
import type { Command } from "commander";
import { pruneSnapshots, snapshotPath } from "../../snapshot/store.js";
import type { CommandResult } from "../result.js";
import { addProjectOptions, loadProject, type ProjectOptions } from "./plan.js";

export function registerSnapshots(program: Command, done: (result: CommandResult) => void): void {
  const snapshots = program
    .command("snapshots")
    .description("manage dagtest.snap.json, the snapshots of the outputs");
  addProjectOptions(
    snapshots
      .command("prune")
      .argument("[path]", "a dagtest.yaml or a folder holding one")
      .description("remove the snapshots of nodes that are no longer in the pipeline"),
  ).action(async (target: string | undefined, options: ProjectOptions) => {
    const project = await loadProject(target, options);
    const file = snapshotPath(project.baseDir);
    const removed = pruneSnapshots(file, new Set(project.dag.nodes));
    const text =
      removed.length > 0
        ? `removed the snapshots of ${removed.length} node(s) no longer in the pipeline from ${file}: ${removed.join(", ")}\n`
        : `nothing to prune in ${file}\n`;
    done({ stdout: text, exitCode: 0 });
  });
}
