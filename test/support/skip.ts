/**
 * Tests that need something the machine may lack (a browser, Google's
 * Firestore emulator) skip themselves with the reason in their name, so the
 * summary reporter lists why.
 */
export function itIf(condition: boolean, reason: string): jest.It {
  if (condition) return it;
  const skipped = ((
    name: string,
    fn?: jest.ProvidesCallback,
    timeout?: number,
  ) =>
    it.skip(`${name} [skipped: ${reason}]`, fn, timeout)) as unknown as jest.It;
  return skipped;
}

export function describeIf(condition: boolean, reason: string): jest.Describe {
  if (condition) return describe;
  return ((name: string, fn: jest.EmptyFunction) =>
    describe.skip(
      `${name} [skipped: ${reason}]`,
      fn,
    )) as unknown as jest.Describe;
}
