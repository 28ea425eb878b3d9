/**
 * The ids of requests and grants: 128 random bits in base64url (22
 * characters, REQUEST_ID_PATTERN), never starting with `-`, so that a command
 * line never reads one as an option (`jit deny -OHih…` would be a usage
 * error). Drawing again when the first character is `-` keeps every other id
 * equally likely, at a cost of 0.02 bits.
 */
import {randomBytes} from 'node:crypto';

export function newRecordId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
