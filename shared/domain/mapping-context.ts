/** Everything mapping needs besides the events themselves: settings, codes, the mailbox, the window. */
import type { CalendarWindow } from './calendar-window.js';
import type { ProviderKind } from './calendar-event.js';
import type { CmgCode } from './cmg-code.js';
import type { MappingSettings } from './mapping-settings.js';
import { createCodeMatcher, type CodeMatcher } from './code-matcher.js';

export interface MailboxContext {
  /** The mailbox key (CMG user id): part of every externalId. */
  readonly key: string;
  readonly provider: ProviderKind;
  /** The user's CMG language: code descriptions are matched in it when CODE_LANGUAGES is empty. */
  readonly language: string;
  /** The user's forwarding default from the roster (MAPPING.md §3). */
  readonly forwardByDefault: boolean;
  /** IANA zone: all-day dates are local dates in it, and activity times carry its offset. */
  readonly timeZone: string;
}

export interface MappingContext {
  readonly settings: MappingSettings;
  /** CMG's codes with their descriptions (`GET /codes`). */
  readonly codes: readonly CmgCode[];
  readonly mailbox: MailboxContext;
  readonly window: CalendarWindow;
  /**
   * When always-on automatic replies were first seen (ISO instant), remembered by the caller so
   * the activity's start stays put; without it the activity starts at the window's start.
   */
  readonly automaticRepliesSince?: string | undefined;
}

/** What is derived once per context rather than per event. */
export interface PreparedContext {
  readonly matcher: CodeMatcher;
  readonly windowStart: number;
  readonly windowEnd: number;
}

const prepared = new WeakMap<MappingContext, PreparedContext>();

/** The derived state of a context, built on first use and kept as long as the context object lives. */
export function prepare(ctx: MappingContext): PreparedContext {
  let state = prepared.get(ctx);
  if (state === undefined) {
    state = {
      matcher: createCodeMatcher(ctx.settings, ctx.codes, ctx.mailbox.language),
      windowStart: Date.parse(ctx.window.start),
      windowEnd: Date.parse(ctx.window.end),
    };
    prepared.set(ctx, state);
  }
  return state;
}
