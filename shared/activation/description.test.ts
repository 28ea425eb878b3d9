import {MAX_CONDITION_DESCRIPTION_LENGTH} from '../limits';
import {approvedDescription, selfApprovedDescription} from './description';

/** An address of exactly `length` characters. */
const addr = (name: string, length: number) =>
  `${name}${'x'.repeat(length - name.length - '@example.com'.length)}@example.com`;
const J100 = 'j'.repeat(100);

describe('approvedDescription', () => {
  it.each<[string, string[], string, string]>([
    [
      'one approver',
      ['bob@example.com'],
      'case 42',
      'Approved by bob@example.com, justification: case 42',
    ],
    [
      'several short approvers, all listed',
      ['a@x.com', 'b@x.com', 'c@x.com'],
      'case 42',
      'Approved by a@x.com, b@x.com, c@x.com, justification: case 42',
    ],
    [
      // All four: 12 + 4*50 + 3*2 + 17 + 100 = 335; two and ` +2 more`:
      // 12 + 102 + 8 + 117 = 239 fits, three would be 291.
      'four 50-character approvers and a 100-character justification',
      ['a', 'b', 'c', 'd'].map(n => addr(n, 50)),
      J100,
      `Approved by ${addr('a', 50)}, ${addr('b', 50)} +2 more, justification: ${J100}`,
    ],
    [
      // 12 + 127 + 17 + 100 = 256 exactly: listed whole.
      'exactly at the limit',
      [addr('a', 62), addr('b', 63)],
      J100,
      `Approved by ${addr('a', 62)}, ${addr('b', 63)}, justification: ${J100}`,
    ],
    [
      // One character over: the second approver becomes +1 more.
      'one character over the limit',
      [addr('a', 62), addr('b', 64)],
      J100,
      `Approved by ${addr('a', 62)} +1 more, justification: ${J100}`,
    ],
    [
      'a first approver too long to list at all',
      [addr('a', 200), 'b@x.com'],
      J100,
      `Approved by 2 reviewers, justification: ${J100}`,
    ],
    [
      'a single approver too long to list',
      [addr('a', 200)],
      J100,
      `Approved by 1 reviewer, justification: ${J100}`,
    ],
  ])('%s', (_name, approvers, justification, expected) => {
    const text = approvedDescription(approvers, justification);
    expect(text).toBe(expected);
    expect(text.length).toBeLessThanOrEqual(MAX_CONDITION_DESCRIPTION_LENGTH);
    expect(text.endsWith(`, justification: ${justification}`)).toBe(true);
  });

  it('stays within 256 characters for any number of long approvers', () => {
    for (let n = 1; n <= 100; n++) {
      const approvers = Array.from({length: n}, (_, i) => addr(`r${i}`, 64));
      const text = approvedDescription(approvers, J100);
      expect(text.length).toBeLessThanOrEqual(MAX_CONDITION_DESCRIPTION_LENGTH);
      expect(text).toContain(J100);
    }
  });
});

describe('selfApprovedDescription', () => {
  it('reads as upstream writes it', () => {
    expect(selfApprovedDescription('b/123')).toBe(
      'Self-approved, justification: b/123',
    );
  });
});
