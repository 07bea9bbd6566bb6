/** How a user's mistake is printed: code, message, location and hint; never a stack. */
import pc from "picocolors";
import { type DagtestError, formatLocation } from "../errors.js";

export function formatError(error: DagtestError): string {
  const lines = [`${pc.red("error")} ${pc.dim(error.code)} ${error.message}`];
  if (error.location) lines.push(`  at ${formatLocation(error.location)}`);
  lines.push(`  ${pc.cyan("hint:")} ${error.hint}`);
  return `${lines.join("\n")}\n`;
}
