/** What a calsync command gets from and gives back to the process (cli/calsync.ts). */

export interface PreviewIo {
  readFile(path: string): Promise<string>;
  /** The clock, when `--now` is not given. */
  now(): Date;
}

export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Bad input: exit code 2 with one line on stderr. */
export class InputError extends Error {}
