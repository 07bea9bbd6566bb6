/** Interface declarations for wiring tests: every field at its default unless a test names it. */
import type { InterfaceInput, InterfaceOutput } from "../../src/model/interface.js";

/** A required processing_output S3Uri input with no sources, keywords or config source. */
export function interfaceInput(
  overrides: Partial<InterfaceInput> & Pick<InterfaceInput, "name">,
): InterfaceInput {
  return {
    containerPath: null,
    required: true,
    channels: [],
    type: "processing_output",
    dataType: "S3Uri",
    compatibleSources: [],
    semanticKeywords: [],
    configSource: null,
    skipped: false,
    ...overrides,
  };
}

/** A processing_output S3Uri output with no aliases or keywords. */
export function interfaceOutput(
  overrides: Partial<InterfaceOutput> & Pick<InterfaceOutput, "name">,
): InterfaceOutput {
  return {
    containerPath: null,
    type: "processing_output",
    dataType: "S3Uri",
    aliases: [],
    semanticKeywords: [],
    ...overrides,
  };
}
