import * as fs from 'node:fs';
import * as path from 'node:path';
import {buildEvent, eventText, EVENTS, type EventType} from './events';
import {formatEvent, javaHashMapOrder, javaInstant} from './gson';

interface Vector {
  type: EventType;
  note: string;
  puts: Array<[string, string | string[]]>;
  json: string;
  base64: string;
}

// Upstream's own output (test/fixtures/README.md says how it was made).
const {vectors} = JSON.parse(
  fs.readFileSync(
    path.join(__dirname, '../../test/fixtures/pubsub-events.json'),
    'utf8',
  ),
) as {vectors: Vector[]};

describe('events as upstream writes them', () => {
  it.each(vectors.map(v => [`${v.type}: ${v.note}`, v] as const))(
    'writes the bytes upstream publishes (%s)',
    (_, v) => {
      const text = formatEvent(
        v.type,
        v.puts.map(([k, value]) => [k.toLowerCase(), value] as const),
      );
      expect(text).toBe(v.json);
      expect(Buffer.from(text, 'utf8').toString('base64')).toBe(v.base64);
    },
  );

  it.each(vectors.map(v => [v.type, v] as const))(
    'names the attributes of %s as upstream puts them',
    (type, v) => {
      expect(EVENTS[type]).toEqual(v.puts.map(([k]) => k));
    },
  );

  it('orders keys as a Java HashMap that has grown past 16 buckets', () => {
    // 13 keys resize the table to 32 buckets; "Aa" and "BB" share a hash.
    const keys = ['Aa', 'BB', ...'CDEFGHIJKLM'.split('')];
    const order = javaHashMapOrder(keys);
    expect(order.indexOf('Aa')).toBeLessThan(order.indexOf('BB'));
    expect(javaHashMapOrder(['BB', 'Aa'])).toEqual(['BB', 'Aa']);
    // Single letters hash to their code: buckets 67..77 masked by 31.
    expect(order.filter(k => k.length === 1)).toEqual(
      'CDEFGHIJKLM'
        .split('')
        .sort((a, b) => (a.charCodeAt(0) & 31) - (b.charCodeAt(0) & 31)),
    );
  });

  it('writes instants as Java does: whole seconds without a fraction', () => {
    expect(javaInstant('2040-01-01T10:00:00.000Z')).toBe(
      '2040-01-01T10:00:00Z',
    );
    expect(javaInstant('2040-01-01T10:00:00.750Z')).toBe(
      '2040-01-01T10:00:00.750Z',
    );
  });

  it('builds every event of the table with lower-case keys, empty text for absent facts', () => {
    for (const type of Object.keys(EVENTS) as EventType[]) {
      const event = buildEvent(
        type,
        {
          beneficiary: 'a@example.com',
          project: 'p-123456',
          roles: ['roles/x'],
          justification: 'j',
        },
        {},
      );
      expect(Object.keys(event.attributes)).toEqual(
        EVENTS[type].map(k => k.toLowerCase()),
      );
      for (const [k, value] of Object.entries(event.attributes)) {
        expect(k === 'reviewers' ? Array.isArray(value) : typeof value).toBe(
          k === 'reviewers' ? true : 'string',
        );
      }
      expect(JSON.parse(eventText(event))).toEqual(event);
    }
  });
});
