/** `dagtest cache clean [PATH]`: remove every stored result of a project. */
import type { Command } from "commander";
import { LocalCache } from "../../cache/store.js";
import type { CommandResult } from "../result.js";
import { addProjectOptions, loadProject, type ProjectOptions } from "./plan.js";

export function registerCache(program: Command, done: (result: CommandResult) => void): void {
  const cache = program.command("cache").description("manage the content-addressed cache of node outputs");
  addProjectOptions(
    cache
      .command("clean")
      .argument("[path]", "a dagtest.yaml or a folder holding one")
      .description("remove every cached result"),
  ).action(async (target: string | undefined, options: ProjectOptions) => {
    const project = await loadProject(target, options);
    const store = new LocalCache(project.baseDir);
    const count = store.clean();
    done({ stdout: `removed ${count} cached result(s) from ${store.dir}\n`, exitCode: 0 });
  });
}
