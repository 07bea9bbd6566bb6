/** `dagtest cache clean [PATH] [--all]`: remove every stored result of a project (and, with
 * --all, what dagtest remembers of its files: the static check, the parsed dagtest.yaml). */
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
      .option("--all", "also forget the remembered static check and parsed dagtest.yaml")
      .description("remove every cached result"),
  ).action(async (target: string | undefined, options: ProjectOptions & { all?: boolean }) => {
    const project = await loadProject(target, options);
    const store = new LocalCache(project.baseDir);
    const all = options.all === true;
    const count = store.clean({ all });
    const also = all ? " and the remembered static check" : "";
    done({ stdout: `removed ${count} cached result(s)${also} from ${store.dir}\n`, exitCode: 0 });
  });
}
