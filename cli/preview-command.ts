/**
 * `calsync preview`: maps a provider's raw event list to the activities CMG would receive, with
 * the same normalisers and rules as the sync job (issue #2). Pure apart from reading files
 * through `io`, so tests run it directly; cli/calsync.ts is the process wrapper.
 */
import { parseArgs } from 'node:util';
import { InputError, type CommandResult, type PreviewIo } from './command-io.js';

export type { CommandResult, PreviewIo } from './command-io.js';

export const PREVIEW_USAGE = `Usage: calsync preview --provider graph|google|exchange --events FILE [--settings FILE] [--codes FILE]
                       [--time-zone IANA] [--now ISO] [--user-forward true|false]
                       [--language xx] [--automatic-replies FILE] [--mailbox ADDRESS] [--explain]

Prints the activities CMG would receive for a calendar, as JSON.
  --provider           graph, google or exchange
  --events             a raw list response: Graph {"value":[…]} (calendarView or calendarView/delta,
                       fetched with Prefer: outlook.timezone="UTC"; occurrence stubs take their fields
                       from a series master in the same file), Google {"items":[…]} (events.list),
                       Exchange the body of a FindItem CalendarView response (the SOAP envelope as sent)
  --settings           JSON object of app settings (OOF_CODE, DEFAULT_CODE, …), or a local.settings.json
  --codes              CMG /codes response {"codes":[{"code":"11","descriptions":{"en":"Meeting"}}]}
  --time-zone          the mailbox's zone for all-day events and offsets (default: Google's timeZone,
                       else UTC; required for exchange)
  --now                the sync time, ISO 8601 (default: now); sets the window
  --user-forward       the user's forwarding default (default false)
  --language           the user's CMG language (default en)
  --automatic-replies  a Graph automaticRepliesSetting object, or for exchange the body of a
                       GetUserOofSettings response
  --mailbox            exchange: the mailbox's address, so an invitation whose response Exchange
                       reports as Unknown counts as unanswered when someone else organises it
  --explain            also list the events that gave no activity, with the reason
`;

const OPTIONS = {
  provider: { type: 'string' },
  events: { type: 'string' },
  settings: { type: 'string' },
  codes: { type: 'string' },
  'time-zone': { type: 'string' },
  now: { type: 'string' },
  'user-forward': { type: 'string' },
  language: { type: 'string' },
  'automatic-replies': { type: 'string' },
  mailbox: { type: 'string' },
  explain: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The arguments as parseArgs reads them, or 'help'; their validation is preview-run.ts's. */
function parseOptions(argv: readonly string[]): Record<string, unknown> | 'help' {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // Node's messages carry a long hint after the first sentence; the first sentence names the problem.
    const message = error instanceof Error ? (error.message.split(/\.\s/)[0] ?? error.message) : String(error);
    throw new InputError(`${message.replace(/\.$/, '')} (see calsync preview --help)`);
  }
  if (values.help === true) return 'help';
  return values;
}

async function preview(argv: readonly string[], io: PreviewIo): Promise<CommandResult> {
  const values = parseOptions(argv);
  if (values === 'help') return { exitCode: 0, stdout: PREVIEW_USAGE, stderr: '' };
  // zod, the settings, the normalisers and the mapping: only when there is a calendar to map.
  const run = await import('./preview-run.js');
  return run.preview(values, io);
}

/** Runs `calsync preview` with the arguments after `preview`. Bad input → exit code 2, one line on stderr. */
export async function runPreview(argv: readonly string[], io: PreviewIo): Promise<CommandResult> {
  try {
    return await preview(argv, io);
  } catch (error) {
    if (error instanceof InputError) return { exitCode: 2, stdout: '', stderr: `calsync preview: ${error.message}\n` };
    throw error;
  }
}
