/** Catching the user errors the code under test throws. */
import { DagtestError } from "../../src/errors.js";

/** The DagtestError a call throws; any other error is rethrown, and nothing thrown fails. */
export function rejection(call: () => unknown): DagtestError {
  try {
    call();
  } catch (error) {
    if (error instanceof DagtestError) return error;
    throw error;
  }
  throw new Error("expected a DagtestError, nothing was thrown");
}
