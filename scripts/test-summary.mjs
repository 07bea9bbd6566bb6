// Prints the closing `N passed, N failed[, N skipped]` line from vitest's JSON report and
// pytest's JUnit XML, so CI reads one honest count for both suites. Exits 1 when either report
// is missing or anything failed.
import { existsSync, readFileSync } from "node:fs";

const [vitestFile, pytestFile] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
let missing = false;

if (vitestFile && existsSync(vitestFile)) {
  const report = JSON.parse(readFileSync(vitestFile, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  // A test file that fails to load has no tests but is a failure all the same.
  failed += report.testResults.filter((r) => r.status === "failed" && r.assertionResults.length === 0).length;
} else {
  console.error(`no vitest report at ${vitestFile}`);
  missing = true;
}

if (pytestFile && existsSync(pytestFile)) {
  const xml = readFileSync(pytestFile, "utf8");
  const suite = /<testsuite\b[^>]*>/.exec(xml)?.[0] ?? "";
  const attr = (name) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suite)?.[1] ?? 0);
  const pyFailed = attr("failures") + attr("errors");
  const pySkipped = attr("skipped");
  passed += attr("tests") - pyFailed - pySkipped;
  failed += pyFailed;
  skipped += pySkipped;
} else {
  console.error(`no pytest report at ${pytestFile}`);
  missing = true;
}

if (missing) failed += 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
