/**
 * ChatUserDirectory on Firestore: collection
 * `${FIRESTORE_COLLECTION_PREFIX}chatUsers`, one document per email (its
 * id the email, URI-encoded) holding Chat's user name and when Chat last
 * told it. Written whenever a person talks to the app, read when a card goes
 * to a reviewer as a direct message.
 */
import type {Firestore} from '@google-cloud/firestore';
import type {Config} from '../config';
import type {ChatUserDirectory} from '../ports';
import {
  FIRESTORE_DEADLINE_MS,
  translateFirestoreError,
  withDeadline,
} from './firestore';

const CHAT_USER = /^users\/[A-Za-z0-9_-]{1,128}$/;

export function makeChatUserDirectory(
  config: Config,
  client: () => Promise<Firestore>,
): ChatUserDirectory {
  const {collectionPrefix, database} = config.firestore;
  const doc = async (email: string) =>
    (await client())
      .collection(`${collectionPrefix}chatUsers`)
      .doc(encodeURIComponent(email.toLowerCase()));
  const bounded = <T>(operation: Promise<T>) =>
    withDeadline(operation, FIRESTORE_DEADLINE_MS);
  return {
    async get(email) {
      try {
        const user: unknown = (await bounded((await doc(email)).get())).get(
          'user',
        );
        return typeof user === 'string' && CHAT_USER.test(user)
          ? user
          : undefined;
      } catch (e) {
        throw translateFirestoreError(e, database);
      }
    },
    async put(email, user) {
      if (!CHAT_USER.test(user)) return;
      try {
        await bounded(
          (await doc(email)).set({user, seenAt: new Date().toISOString()}),
        );
      } catch (e) {
        throw translateFirestoreError(e, database);
      }
    },
  };
}
