#!/usr/bin/env node
/** The `calsync` executable (package.json "bin"): runs a command and maps its result to the process. */
import { readFile } from 'node:fs/promises';
import { runCalsync } from './calsync-command.js';

try {
  const result = await runCalsync(process.argv.slice(2), { readFile: (path) => readFile(path, 'utf8'), now: () => new Date() });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
} catch (error) {
  // A bug, not bad input: still one line, never a stack trace in the operator's terminal.
  process.stderr.write(`calsync: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
