// Tests call loaders directly (not under withLazyModules): load the YAML parser and the schema up
// front, as the library does. The lazy path is tested through the built CLI
// (tests/e2e/cli-lazy-modules.test.ts).
import "../../src/config/eager.js";
