import { describe, expect, it } from 'vitest';
import { contractRoot, contractUrl } from '../../../shared/cmg/cmg-url.js';

describe('CMG URLs', () => {
  it.each([
    ['https://cmg.example.com/CMG Office', 'https://cmg.example.com/CMG%20Office/api/calendar/v1'],
    ['https://cmg.example.com/CMG%20Office/', 'https://cmg.example.com/CMG%20Office/api/calendar/v1'],
    ['http://cmg.example.com:8080/', 'http://cmg.example.com:8080/api/calendar/v1'],
    ['https://user:pw@cmg.example.com/CMG Office?x=1#y', 'https://cmg.example.com/CMG%20Office/api/calendar/v1'],
  ])('when the base URL is %s, then the contract root is %s', (base, root) => {
    expect(contractRoot(base).href).toBe(root);
  });

  it('when ids hold reserved characters, then each is encoded as one segment and the query is form-encoded', () => {
    const root = contractRoot('https://cmg.example.com/CMG Office');
    expect(contractUrl(root, ['users', 'a/b c', 'activities', 'x?y#z%'], { sign: 'Cal endar', cursor: undefined })).toBe(
      'https://cmg.example.com/CMG%20Office/api/calendar/v1/users/a%2Fb%20c/activities/x%3Fy%23z%25?sign=Cal+endar',
    );
  });

  it.each(['', '.', '..'])('when an id is "%s", then it is refused as invalid_id', (id) => {
    const root = contractRoot('https://cmg.example.com/CMG Office');
    expect(() => contractUrl(root, ['users', id])).toThrow(expect.objectContaining({ kind: 'permanent', code: 'invalid_id' }));
  });
});
