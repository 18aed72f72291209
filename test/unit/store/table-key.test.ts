import { describe, expect, it } from 'vitest';
import { decodeKey, encodeKey } from '../../../shared/store/table-key.js';

// Characters Table Storage forbids in PartitionKey / RowKey, plus U+007F–U+009F.
const FORBIDDEN = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

describe('table keys', () => {
  it('when an id is made of letters, digits and -_., then it is stored as it is', () => {
    expect(encodeKey('AAMkAGI2-event_1.x')).toBe('AAMkAGI2-event_1.x');
  });

  it('when an id holds forbidden, quoting or escape characters, then the key has none of them and decodes back', () => {
    const ids = ['a/b\\c#d?e', 'tab\there\u0001\u007f\u0085', "it's 100%", '!21 already escaped?', 'ümlaut ✓ 🎉', ''];
    for (const id of ids) {
      const key = encodeKey(id);
      expect(key).not.toMatch(FORBIDDEN);
      expect(key).not.toMatch(/['%]/);
      expect(decodeKey(key)).toBe(id);
    }
  });

  it('when two ids differ, then their keys differ', () => {
    expect(encodeKey('a/b')).not.toBe(encodeKey('a!2Fb'));
  });
});
