import {REQUEST_ID_PATTERN} from './limits';
import {newRecordId} from './record-id';

describe('record ids', () => {
  it('are 22 base64url characters, distinct, and never start with "-"', () => {
    // One id in 64 would start with "-" if drawn once: 10,000 draws without
    // one show the redraw works (the chance of none by luck is 1e-69).
    const ids = Array.from({length: 10_000}, newRecordId);
    for (const id of ids) expect(id).toMatch(REQUEST_ID_PATTERN);
    expect(ids.filter(id => id.startsWith('-'))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    // Every other first character still occurs.
    expect(new Set(ids.map(id => id[0])).size).toBe(63);
  });
});
