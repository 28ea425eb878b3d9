/**
 * The OpenAPI document (`GET /api/openapi.json`): valid OpenAPI 3.1 by a
 * maintained validator, covering every route the targets serve, generated
 * from the schemas that describe the same shapes as shared/api.ts; and the
 * answer check that the route tests run is able to fail.
 */
import {execFile} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type {z} from 'zod';
import {makeActivateRoutes} from '../../functions/activate/routes';
import {makeApproveRoutes} from '../../functions/approve/routes';
import {makeGrantRoutes} from '../../functions/grants/routes';
import {makeHealthRoutes} from '../../functions/health/routes';
import {makeRolesRoutes} from '../../functions/roles/routes';
import {makeWebRoutes} from '../../functions/web/routes';
import type {Services} from '../../functions/services';
import type * as api from '../../shared/api';
import * as s from '../../shared/api-schemas';
import {openApiDocument} from '../../shared/openapi';
import {checkAnswer} from '../support/openapi';
import {testConfig} from '../support/requests';

const ROOT = path.join(__dirname, '..', '..');

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 by @seriousme/openapi-schema-validator', async () => {
    const file = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-')),
      'openapi.json',
    );
    fs.writeFileSync(file, JSON.stringify(openApiDocument()));
    const out = await new Promise<{code: number; text: string}>(resolve =>
      execFile(
        process.execPath,
        [
          path.join(
            ROOT,
            'node_modules/@seriousme/openapi-schema-validator/bin/validate-api-cli.js',
          ),
          file,
        ],
        (error, stdout, stderr) =>
          resolve({code: error ? 1 : 0, text: stdout + stderr}),
      ),
    );
    expect(out.text).toMatch(/"valid": true/);
    expect(out.code).toBe(0);
    expect(openApiDocument().openapi).toBe('3.1.0');
  });

  it('lists every route of the API with its method, and no other', () => {
    const services = {config: testConfig()} as unknown as Services;
    const routes = [
      ...makeRolesRoutes(services),
      ...makeActivateRoutes(services),
      ...makeApproveRoutes(services),
      ...makeGrantRoutes(services),
      ...makeHealthRoutes(services),
      ...makeWebRoutes(),
    ]
      .filter(r => /^\/(api|health)\//.test(r.path))
      .map(r => `${r.method} ${r.path}`)
      // The HTTP kit's own, on every target.
      .concat('GET /health')
      .sort();
    const documented = Object.entries(openApiDocument().paths ?? {})
      .flatMap(([p, ops]) =>
        Object.keys(ops as object).map(m => `${m.toUpperCase()} ${p}`),
      )
      .sort();
    expect(documented).toEqual(routes);
  });

  it('describes each answer with the shape shared/api.ts gives it', () => {
    // Checked when the types are: `npm test` runs tsc over the tests first,
    // and a schema that drifted from its wire type makes `true` a type error
    // here (jest itself does not type-check).
    const same = <A, B>(
      _proof: [A] extends [B] ? ([B] extends [A] ? true : false) : false,
    ) => _proof;
    expect([
      same<z.infer<typeof s.PolicyResponseSchema>, api.PolicyResponse>(true),
      same<z.infer<typeof s.RolesResponseSchema>, api.RolesResponse>(true),
      same<z.infer<typeof s.PeersResponseSchema>, api.PeersResponse>(true),
      same<z.infer<typeof s.ProjectsResponseSchema>, api.ProjectsResponse>(
        true,
      ),
      same<
        z.infer<typeof s.SelfActivateResponseSchema>,
        api.SelfActivateResponse
      >(true),
      same<z.infer<typeof s.AccessRequestSchema>, api.AccessRequest>(true),
      same<z.infer<typeof s.RequestsResponseSchema>, api.RequestsResponse>(
        true,
      ),
      same<z.infer<typeof s.GrantSchema>, api.Grant>(true),
      same<z.infer<typeof s.GrantsResponseSchema>, api.GrantsResponse>(true),
      same<z.infer<typeof s.RevokeResponseSchema>, api.RevokeResponse>(true),
      same<z.infer<typeof s.ReconcileResponseSchema>, api.ReconcileResponse>(
        true,
      ),
      same<
        z.infer<typeof s.HealthCheckResponseSchema>,
        api.HealthCheckResponse
      >(true),
      same<z.infer<typeof s.ErrorBodySchema>, api.ErrorBody>(true),
      same<z.infer<typeof s.SelfActivateBodySchema>, api.SelfActivateBody>(
        true,
      ),
      same<z.infer<typeof s.RequestRoleBodySchema>, api.RequestRoleBody>(true),
    ]).not.toContain(false);
  });

  it('checks answers: a body that drifted from the document is caught', () => {
    const grant = {
      id: 'x',
      user: 'a@example.com',
      project: 'p',
      role: 'roles/x',
      start: '2030-01-01T00:00:00.000Z',
      end: '2030-01-01T01:00:00.000Z',
      justification: 'j',
      origin: 'self',
      approvers: [],
      binding: {
        role: 'roles/x',
        member: 'user:a@example.com',
        title: 't',
        expression: 'e',
        description: 'd',
      },
      state: 'ACTIVE',
      createdAt: '2030-01-01T00:00:00.000Z',
      updatedAt: '2030-01-01T00:00:00.000Z',
      sortKey: 'k',
      timeline: [],
    };
    expect(() =>
      checkAnswer('GET', '/api/grants/abc', 200, grant),
    ).not.toThrow();
    const {state, ...withoutState} = grant;
    void state;
    expect(() =>
      checkAnswer('GET', '/api/grants/abc', 200, withoutState),
    ).toThrow(/does not match the OpenAPI document/);
    expect(() =>
      checkAnswer('GET', '/api/grants/abc', 200, {
        ...grant,
        state: 'SOMETIMES',
      }),
    ).toThrow(/does not match/);
    expect(() => checkAnswer('GET', '/api/nowhere', 200, {})).toThrow(
      /not in the OpenAPI document/,
    );
    expect(() =>
      checkAnswer('GET', '/api/grants/abc', 404, {
        error: {code: 404, status: 'NOT_FOUND', message: 'Grant not found'},
      }),
    ).not.toThrow();
  });
});

describe('the routes check bodies with the same schemas', () => {
  it('takes each POST body’s fields from its schema (unknown fields refused, values left to the use case)', () => {
    const fields = s.fieldsOf(s.SelfActivateBodySchema);
    expect(Object.keys(fields.shape).sort()).toEqual(
      Object.keys(s.SelfActivateBodySchema.shape).sort(),
    );
    expect(
      fields.safeParse({roles: ['r'], justification: 5, durationMinutes: 'x'})
        .success,
    ).toBe(true);
    expect(
      fields.safeParse({roles: 'r', justification: 'j', durationMinutes: 5})
        .success,
    ).toBe(false);
    expect(
      fields.safeParse({
        roles: [],
        justification: 'j',
        durationMinutes: 5,
        extra: 1,
      }).success,
    ).toBe(false);
    expect(s.fieldsOf(s.ApproveBodySchema).safeParse({}).success).toBe(true);
  });
});
