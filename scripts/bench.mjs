// `npm run bench -- <name>`: runs bench/<name>.ts (after setup) and passes its output through.
// Each benchmark ends by printing its figures as `name: value unit` lines.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const available = readdirSync(path.join(root, "bench"))
  .filter((f) => f.endsWith(".ts") && !f.startsWith("_"))
  .map((f) => f.slice(0, -3));
const [name, ...rest] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>   (available: ${available.join(", ")})`);
  process.exit(2);
}
if (!existsSync(path.join(root, "node_modules")) || !existsSync(path.join(root, ".venv"))) {
  const setup = spawnSync("bash", [path.join(root, "scripts/setup.sh")], { stdio: "inherit" });
  if (setup.status !== 0) process.exit(setup.status ?? 1);
}
const run = spawnSync(
  process.execPath,
  ["--import", "tsx", path.join(root, "bench", `${name}.ts`), ...rest],
  {
    stdio: "inherit",
    cwd: root,
  },
);
process.exit(run.status ?? 1);
