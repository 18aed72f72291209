/**
 * Forks a Node child process with an IPC channel for the emulators the benchmarks keep out of
 * their own process (Azurite's tables, the Graph, Google and CMG emulators). It is silent
 * unless it fails: the last bytes of its output are kept for the error message.
 */
import { fork, type ChildProcess } from 'node:child_process';

/** The last bytes of the child's stdout and stderr kept for an error message. */
const OUTPUT_KEPT = 16 * 1024;

export interface QuietChild {
  readonly child: ChildProcess;
  /** Adds text to the kept output (e.g. a spawn error). */
  keep(text: string): void;
  /** `{name} (pid …) {what}`, followed by the kept output if any. */
  describe(what: string): string;
}

export function forkQuiet(entry: string, name: string): QuietChild {
  const child = fork(entry, [], {
    // Not the parent's flags: --cpu-prof or --inspect are meant for the parent.
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  let output = '';
  const keep = (text: string): void => {
    output = (output + text).slice(-OUTPUT_KEPT);
  };
  child.stdout?.on('data', (chunk: Buffer) => keep(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => keep(chunk.toString('utf8')));
  return { child, keep, describe: (what) => `${name} (pid ${child.pid ?? '?'}) ${what}${output.trim() ? `:\n${output.trimEnd()}` : ''}` };
}
