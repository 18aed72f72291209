/**
 * Mapping and planning throughput on one core (target ≥ 200,000 events/s) and the load time of
 * the built `calsync preview` entry (target < 150 ms). Prints figures; never fails on them.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { BenchScenario } from '../run-bench.js';
import { readMappingSettings } from '../../shared/config/mapping-setting-specs.js';
import type { AcknowledgedActivity } from '../../shared/domain/activity.js';
import type { NormalizeResult } from '../../shared/domain/calendar-event.js';
import { calendarWindow } from '../../shared/domain/calendar-window.js';
import { mapCalendar } from '../../shared/domain/map-calendar.js';
import type { MappingContext } from '../../shared/domain/mapping-context.js';
import { planOperations } from '../../shared/domain/plan-operations.js';
import { addDays } from '../../shared/domain/time-zone.js';

const EVENTS = 100_000;
const NOW = new Date('2026-03-30T07:00:00Z');
const SUBJECTS = ['Lunch with Tom', '*Customer visit', '#Travel to Oslo', 'Weekly team meeting', 'Dentist', 'Planning', 'Training: CMG'];

/** A mixed calendar: occurrences of series, all-day days, private events, categories, some skipped. */
function calendar(count: number): NormalizeResult[] {
  const items: NormalizeResult[] = [];
  const start = Date.parse('2026-03-29T06:00:00Z');
  for (let i = 0; i < count; i++) {
    const allDay = i % 10 === 0;
    const day = addDays('2026-03-29', i % 15);
    const from = start + (i % 15) * 86_400_000 + (i % 20) * 1_800_000;
    items.push({
      kind: 'event',
      event: {
        provider: 'graph',
        id: i % 3 === 0 ? `series-${i % 500}_${i}` : `event-${i}`,
        seriesId: i % 3 === 0 ? `series-${i % 500}` : undefined,
        cancelled: i % 50 === 0,
        declined: i % 40 === 0,
        tentative: false,
        unanswered: false,
        showAs: i % 25 === 0 ? 'free' : i % 30 === 0 ? 'oof' : 'busy',
        kind: 'default',
        subject: SUBJECTS[i % SUBJECTS.length]!,
        location: i % 2 === 0 ? 'Room Mälaren' : '',
        categories: i % 7 === 0 ? ['Vacation'] : i % 11 === 0 ? ['Training'] : [],
        private: i % 9 === 0,
        onlineMeeting: i % 4 === 0,
        timing: allDay
          ? { allDay: true, startDate: day, endDate: addDays(day, 1 + (i % 3)) }
          : { allDay: false, start: new Date(from).toISOString(), end: new Date(from + 3_600_000).toISOString() },
      },
    });
  }
  return items;
}

function measureMapping(): void {
  const read = readMappingSettings({ OOF_CODE: '5', DEFAULT_CODE: '11', CATEGORY_CODES: '{"Vacation":"5"}', CODE_ALIASES: '{"Travel":"7"}', TEXT_APPEND_LOCATION: 'true' });
  if (!read.ok) throw new Error('bench settings invalid');
  const ctx: MappingContext = {
    settings: read.settings,
    codes: [
      { code: '1', descriptions: { en: 'Lunch' } },
      { code: '11', descriptions: { en: 'Meeting' } },
      { code: '12', descriptions: { en: 'Customer visit' } },
      { code: '13', descriptions: { en: 'Training' } },
    ],
    mailbox: { key: 'bench-user', provider: 'graph', language: 'en', forwardByDefault: false, timeZone: 'Europe/Stockholm' },
    window: calendarWindow(NOW, read.settings),
  };
  const items = calendar(EVENTS);
  // A warm-up run, so the figure is the steady state a long-lived Functions host sees.
  mapCalendar(items.slice(0, 5_000), ctx);

  const started = performance.now();
  const mapped = mapCalendar(items, ctx);
  const mappedAt = performance.now();
  const firstPlan = planOperations({ desired: mapped.activities, acknowledged: [], scope: { kind: 'full' } });
  const plannedAt = performance.now();
  const acknowledged: AcknowledgedActivity[] = firstPlan.flatMap((op) =>
    op.op === 'upsert' ? [{ externalId: op.activity.externalId, hash: op.hash, sourceEventId: op.activity.source.eventId, seriesId: op.activity.source.seriesId }] : [],
  );
  const replanStarted = performance.now();
  const replan = planOperations({ desired: mapped.activities, acknowledged, scope: { kind: 'full' } });
  const replannedAt = performance.now();

  const total = plannedAt - started;
  console.log(`events: ${EVENTS.toLocaleString('en')}, activities: ${mapped.activities.length.toLocaleString('en')}, skipped: ${mapped.skipped.length.toLocaleString('en')}`);
  console.log(`map: ${(mappedAt - started).toFixed(0)} ms; plan (all new): ${(plannedAt - mappedAt).toFixed(0)} ms; re-plan (all unchanged, ${replan.length} ops): ${(replannedAt - replanStarted).toFixed(0)} ms`);
  console.log(`map + plan throughput: ${Math.round(EVENTS / (total / 1000)).toLocaleString('en')} events/s on one core (target ≥ 200,000)`);
}

function measureLoad(runs: number): void {
  const entry = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'calsync.js');
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const child = spawnSync(process.execPath, [entry, 'preview', '--help'], { encoding: 'utf8' });
    times.push(performance.now() - started);
    if (child.status !== 0) {
      console.log(`calsync preview --help failed (exit ${child.status}): ${child.stderr.trim()}`);
      return;
    }
  }
  const baseline: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    baseline.push(performance.now() - started);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`calsync preview --help: median ${median(times).toFixed(0)} ms over ${runs} runs, of which node itself ${median(baseline).toFixed(0)} ms (target < 150 ms)`);
}

const scenario: BenchScenario = {
  name: 'mapping',
  description: 'map + plan 100,000 normalised events; load time of the built calsync preview entry',
  async run({ full }) {
    measureMapping();
    measureLoad(full ? 21 : 7);
  },
};

export default scenario;
