// `node scripts/trace-timings.mjs FILE`: the median time between consecutive marks of a node, over
// every node run while `DAGTEST_TRACE_TIMINGS=FILE` was set (see src/util/trace-timings.ts).
import { readFileSync } from "node:fs";

const file = process.argv[2];
if (!file) {
  console.error("usage: node scripts/trace-timings.mjs FILE");
  process.exit(2);
}
const marks = readFileSync(file, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((line) => JSON.parse(line))
  .filter((m) => m.node !== "-")
  .sort((a, b) => (BigInt(a.t) < BigInt(b.t) ? -1 : 1));
// One run of a node: from its engine:node-start to the next one of the same name.
const runs = [];
const open = new Map();
for (const mark of marks) {
  if (mark.mark === "engine:node-start") {
    const run = [];
    runs.push(run);
    open.set(mark.node, run);
  }
  open.get(mark.node)?.push(mark);
}
const steps = new Map();
const totals = [];
for (const run of runs) {
  totals.push(Number(BigInt(run.at(-1).t) - BigInt(run[0].t)) / 1e6);
  for (let i = 1; i < run.length; i++) {
    const name = `${run[i - 1].mark} → ${run[i].mark}`;
    if (!steps.has(name)) steps.set(name, { order: i, values: [] });
    steps.get(name).values.push(Number(BigInt(run[i].t) - BigInt(run[i - 1].t)) / 1e6);
  }
}
const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const rows = [...steps].sort((a, b) => a[1].order - b[1].order);
console.log(`${runs.length} node runs; median ms per step (n = how many runs had it)`);
for (const [name, { values }] of rows)
  console.log(`${median(values).toFixed(2).padStart(8)}  n=${String(values.length).padStart(3)}  ${name}`);
console.log(`${median(totals).toFixed(2).padStart(8)}  total, first mark to last`);
