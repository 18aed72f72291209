/**
 * Message ids for `mailbox-sync`. Service Bus drops a message whose id it has seen within the
 * duplicate-detection window, so the id decides which jobs collapse: a burst of notifications
 * for one mailbox within one coalescing window is one job; one dispatch interval schedules a mailbox once.
 * Ids are at most 128 characters (Service Bus limit); long keys are replaced by a hash.
 */
import { createHash } from 'node:crypto';

export const MAX_MESSAGE_ID_LENGTH = 128;
const LIFECYCLE_BUCKET_MS = 10_000;
// Room for the longest prefix and suffixes below within 128 characters.
const MAX_KEY_PART = 64;
const MAX_TAG_PART = 24;

/**
 * `notification:{key}:{start of the coalescing window}`, delivered at the window's end. Every
 * notification of the window collapses into this one job, and because it runs only after the
 * window closed, it fetches after every change its dropped duplicates announced: a change is
 * never left waiting for the next poll. A notification that arrives once the job may have
 * started falls in a later window: a new id, so a later job, which the mailbox's session runs
 * after this one. `windowMs` is NOTIFICATION_WINDOW_MS; the instant keeps its milliseconds, so
 * windows shorter than a second get ids of their own.
 */
export function notificationSend(mailboxKey: string, at: Date, windowMs: number): { messageId: string; scheduledAt: Date } {
  const start = Math.floor(at.getTime() / windowMs) * windowMs;
  return { messageId: join('notification', keyPart(mailboxKey), preciseInstant(start)), scheduledAt: new Date(start + windowMs) };
}

/** `schedule:{key}:{interval start}`: the dispatch run that scheduled it. */
export function scheduleMessageId(mailboxKey: string, intervalStart: Date): string {
  return join('schedule', keyPart(mailboxKey), instant(intervalStart.getTime()));
}

/** `poll:{key}:{interval start}`: an Exchange mailbox polled for changes (exchange-polls.ts). */
export function pollMessageId(mailboxKey: string, intervalStart: Date): string {
  return join('poll', keyPart(mailboxKey), instant(intervalStart.getTime()));
}

/**
 * `roster:{key}:{refresh instant}`: the roster refresh starts or stops a mailbox's sync at once;
 * its own prefix keeps a dispatch job of the same interval from swallowing it.
 */
export function rosterMessageId(mailboxKey: string, refreshedAt: Date): string {
  // To the millisecond: two refreshes within one second (timer, then a manual one) each count.
  return join('roster', keyPart(mailboxKey), refreshedAt.toISOString().replace(/[-:]/g, ''));
}

/** `manual:{key}:{second}`: a double click on "resync" is one job. */
export function manualMessageId(mailboxKey: string, at: Date): string {
  return join('manual', keyPart(mailboxKey), instant(Math.floor(at.getTime() / 1000) * 1000));
}

/**
 * `secrets:{key}:{second}:{hash of the subscription ids}`: a double click on "replace push
 * secrets" is one job, and no resync swallows it; once the job has replaced them, the ids differ,
 * so asking again at once (the mailbox, then its whole profile) is a job of its own.
 */
export function pushSecretsMessageId(mailboxKey: string, at: Date, subscriptionIds: readonly string[]): string {
  return join('secrets', keyPart(mailboxKey), instant(Math.floor(at.getTime() / 1000) * 1000), digest([...subscriptionIds].sort().join('\n')).slice(0, 16));
}

/** `lifecycle:{key}:{event}:{bucket}`: Graph repeats lifecycle events; repeats within 10 s collapse. */
export function lifecycleMessageId(mailboxKey: string, event: string, at: Date): string {
  const bucket = Math.floor(at.getTime() / LIFECYCLE_BUCKET_MS) * LIFECYCLE_BUCKET_MS;
  return join('lifecycle', keyPart(mailboxKey), tagPart(event), instant(bucket));
}

/**
 * `deferred:{key}:{until}[:full][:{lifecycle event or secrets}]`: jobs that arrive in the
 * subscribe-off period are put off to its end, once per mailbox; a full request, a lifecycle
 * event and a secret replacement are each kept apart so a plain delta job cannot swallow them.
 */
export function deferredMessageId(mailboxKey: string, until: Date, full = false, task?: string): string {
  return join('deferred', keyPart(mailboxKey), instant(until.getTime()), ...(full ? ['full'] : []), ...(task ? [tagPart(task)] : []));
}

/**
 * `retry:{key}:{attempt}:{hash of the failed message's id}`: a redelivered failing message
 * schedules the same retry again, which duplicate detection drops.
 */
export function retryMessageId(mailboxKey: string, attempt: number, failedMessageId: string): string {
  return join('retry', keyPart(mailboxKey), String(attempt), digest(failedMessageId).slice(0, 16));
}

function join(...parts: string[]): string {
  const id = parts.join(':');
  if (id.length > MAX_MESSAGE_ID_LENGTH) throw new RangeError(`message id longer than ${MAX_MESSAGE_ID_LENGTH}: ${id}`);
  return id;
}

// Long keys become `#` + a hash, so the prefix and suffix always fit.
function keyPart(key: string): string {
  return key.length <= MAX_KEY_PART ? key : `#${digest(key).slice(0, 32)}`;
}

function tagPart(tag: string): string {
  return tag.length <= MAX_TAG_PART ? tag : `#${digest(tag).slice(0, 16)}`;
}

// Compact UTC instant, e.g. 20261125T080010Z.
function instant(ms: number): string {
  return preciseInstant(ms).replace(/\.\d{3}/, '');
}

// Compact UTC instant to the millisecond, e.g. 20261125T080010.250Z.
function preciseInstant(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '');
}

function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
