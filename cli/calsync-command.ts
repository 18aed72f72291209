/** `calsync <command>`: picks the command; each command is a function of argv and io. */
import { PREVIEW_USAGE, runPreview, type CommandResult, type PreviewIo } from './preview-command.js';

const USAGE = `Usage: calsync <command> [options]

Commands:
  preview   print the activities CMG would receive for a calendar (calsync preview --help)
`;

export async function runCalsync(argv: readonly string[], io: PreviewIo): Promise<CommandResult> {
  const [command, ...rest] = argv;
  if (command === 'preview') return runPreview(rest, io);
  if (command === '--help' || command === '-h' || command === 'help') return { exitCode: 0, stdout: `${USAGE}\n${PREVIEW_USAGE}`, stderr: '' };
  const problem = command === undefined ? 'no command given' : `unknown command '${command}'`;
  return { exitCode: 2, stdout: '', stderr: `calsync: ${problem} (see calsync --help)\n` };
}
