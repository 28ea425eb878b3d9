import {loadUpstreamFacts} from '../../test/support/upstream';
import {
  AddressMappingError,
  compileAddressMapping,
  extract,
} from './address-mapping';

const facts = loadUpstreamFacts();

describe('extract()', () => {
  it.each(facts.extract.cases)(
    'extracts $template as upstream does',
    ({template, expected}) => {
      expect(extract(facts.extract.value, template)).toBe(expected);
    },
  );
});

describe('SMTP_ADDRESS_MAPPING', () => {
  const mapped = facts.addressMapping.cases.filter(c => c.expected !== null);
  const refused = facts.addressMapping.cases.filter(c => c.expected === null);

  it.each(mapped)(
    "maps $email with upstream's $test",
    ({expression, email, expected}) => {
      expect(compileAddressMapping(expression)(email)).toBe(expected);
    },
  );

  it.each(refused)(
    "refuses upstream's $test when compiled, before any mail",
    ({expression}) => {
      expect(() => compileAddressMapping(expression)).toThrow(
        AddressMappingError,
      );
    },
  );

  it('refuses an expression that does not give a string', () => {
    expect(() => compileAddressMapping('user.email.size()')).toThrow(
      'the expression gives a int, not a string',
    );
  });

  it('refuses an unknown function when compiled', () => {
    expect(() => compileAddressMapping('user.email.lookup()')).toThrow(
      AddressMappingError,
    );
  });

  it('fails for one user when the result is not an email address', () => {
    const mapping = compileAddressMapping(
      "user.email.extract('{handle}@example.com')",
    );
    expect(() => mapping('alice@example.com')).toThrow(
      'the result "alice" is not an email address',
    );
    expect(() => mapping('bob@other.example')).toThrow(
      'the result "" is not an email address',
    );
  });
});
