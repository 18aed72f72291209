import { describe, expect, it } from 'vitest';
import { activityHash } from '../../../shared/domain/activity-hash.js';
import { externalIdFor } from '../../../shared/domain/external-id.js';
import { parseInstant } from '../../../shared/domain/event-times.js';
import type { Activity } from '../../../shared/domain/activity.js';

// CMG and the Activities table hold these values across releases: if a release computed other
// ids or hashes, every activity would be sent again (new ids: duplicated in CMG until cleaned up).
describe('identifiers that must never change between releases', () => {
  it('when an externalId is computed, then it is the same value as every earlier release computed', () => {
    expect(externalIdFor('graph', '1001', 'AAMkAGI2TG93AAA=')).toMatchInlineSnapshot(`"graph-HKOOMfAdepcj6fbCCfW_mI_lvyTACgXD7ZGSWvHB7xg"`);
    expect(externalIdFor('google', '1001', '7cbh8rpc10lrc0ckih9tafss99_20261125T080000Z')).toMatchInlineSnapshot(`"google-FT863jEyn2BR9Yf9uvvcKWJ_HO9iBHMcybSxNFoL5rg"`);
  });

  it('when an activity is hashed, then the content hash is the same as before', () => {
    const activity: Activity = {
      externalId: 'graph-x',
      code: '11',
      start: '2026-11-25T10:00:00+01:00',
      end: '2026-11-25T11:00:00+01:00',
      text: 'Meeting with the design team',
      forward: true,
      inConference: false,
      sign: 'Calendar',
      private: false,
      source: { provider: 'graph', eventId: 'AAMkAGI2TG93AAA=' },
    };
    expect(activityHash(activity)).toMatchInlineSnapshot(`"GmtBm32-wJU1NCVdrUcq49MEuB9yFaJJLQ8akz9bAyo"`);
  });

  it('when instants are parsed by the fast path, then they equal Date.parse', () => {
    for (const text of ['2026-11-25T08:00:00.000Z', '2026-03-29T01:59:59.999Z', '1999-12-31T23:59:59Z', '2026-11-25T08:00:00+01:00', '2026-02-30T00:00:00Z', 'not a date']) {
      expect(parseInstant(text), text).toEqual(Date.parse(text));
    }
  });
});
