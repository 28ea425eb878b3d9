/**
 * supertest for the route tests, with every answer checked against the
 * OpenAPI document (test/support/openapi.ts): the document cannot drift
 * from what the routes answer. Answers outside /api/ and /health are not
 * the API's and pass unchecked.
 */
import supertest from 'supertest';
import {openApiAnswer} from './openapi';

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head']);

export default function request(
  app: Parameters<typeof supertest>[0],
): ReturnType<typeof supertest> {
  const agent = supertest(app);
  return new Proxy(agent, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop === 'string' && METHODS.has(prop)) {
        return (url: string) =>
          (value as (u: string) => supertest.Test)
            .call(target, url)
            .expect(openApiAnswer);
      }
      return value;
    },
  });
}
