/** What a command hands back to `main.ts`, the only place that writes and exits. */
export interface CommandResult {
  readonly stdout: string;
  readonly exitCode: number;
}
