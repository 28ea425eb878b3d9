/**
 * Cloud Asset v1 `analyzeIamPolicy`
 * (https://cloud.google.com/asset-inventory/docs/reference/rest/v1/TopLevel/analyzeIamPolicy):
 * who has which role on what, within the scope, groups and the domain
 * counted for an identity, groups and resources expanded when asked.
 */
import {bindingsOf, enumValue, resourcesIn, scopeOf} from './asset-common';
import {principalCovers, transitiveMembersOf} from './groups';
import {ancestry, fromFullName, fullName} from './hierarchy';
import type {FakeGoogleCloud, FakeRequest, FakeResponse} from './server';
import {googleError} from './server';

export function analyzeIamPolicy(
  req: FakeRequest,
  fake: FakeGoogleCloud,
): FakeResponse {
  const s = scopeOf(fake, req, 'cloudasset.assets.analyzeIamPolicy');
  if ('error' in s) return s.error;
  // Google's front end refuses a query parameter that names no request field.
  // google-gax 5's REST transcoder drops the outer prefix of fields nested
  // three deep (transcoding.js, buildQueryStringComponents), sending
  // `identitySelector.identity` for `analysisQuery.identitySelector.identity`.
  for (const key of req.query.keys()) {
    const root = key.split('.')[0]!;
    if (
      ![
        'analysisQuery',
        'executionTimeout',
        'savedAnalysisQuery',
        '$alt',
        '$prettyPrint',
      ].includes(root)
    ) {
      return googleError(
        400,
        `Invalid JSON payload received. Unknown name "${key}": Cannot bind query parameter. Field '${root}' could not be found in request message.`,
      );
    }
  }
  const world = fake.world;
  const p = (k: string) => req.query.get(`analysisQuery.${k}`);
  const flag = (k: string) => p(`options.${k}`) === 'true';
  const identity = p('identitySelector.identity')?.toLowerCase();
  const resource = p('resourceSelector.fullResourceName');
  const roles = req.query.getAll('analysisQuery.accessSelector.roles');
  const expandGroups = flag('expandGroups');
  const expandResources = flag('expandResources');
  if (!identity && !resource) {
    return googleError(
      400,
      'Request contains an invalid argument: at least one of resource_selector and identity_selector must be specified.',
    );
  }
  if (identity && expandGroups) {
    return googleError(
      400,
      'Request contains an invalid argument: expand_groups cannot be set when identity_selector is specified.',
    );
  }
  if (identity && !/^(user|group|serviceAccount|domain):\S+$/i.test(identity)) {
    return googleError(
      400,
      `Request contains an invalid argument: invalid identity "${identity}".`,
    );
  }
  let target: string | undefined;
  if (resource) {
    target = fromFullName(world, resource);
    if (!target || !ancestry(world, target).includes(s.scope)) {
      return googleError(
        400,
        `Request contains an invalid argument: ${resource} is not a resource in scope ${s.scope}.`,
      );
    }
  }
  const conditional = enumValue(req, 'CONDITIONAL', 3);
  const inScope = resourcesIn(world, s.scope);
  const analysisResults = [];
  for (const attached of inScope) {
    if (target && !ancestry(world, target).includes(attached)) continue;
    for (const b of bindingsOf(world, attached)) {
      if (roles.length && !roles.includes(b.role)) continue;
      if (identity && !b.members.some(m => principalCovers(world, m, identity)))
        continue;
      let identities: string[];
      if (identity) {
        identities = [identity];
      } else {
        identities = [...b.members];
        if (expandGroups) {
          for (const m of b.members.filter(x =>
            x.toLowerCase().startsWith('group:'),
          )) {
            for (const t of transitiveMembersOf(
              world,
              m.slice('group:'.length),
            )) {
              identities.push(`${t.isGroup ? 'group' : 'user'}:${t.email}`);
            }
          }
          identities = [...new Set(identities)];
        }
      }
      let resources: string[];
      if (target) {
        resources = [resource!];
      } else if (expandResources) {
        resources = inScope
          .filter(n => ancestry(world, n).includes(attached))
          .map(fullName);
      } else {
        resources = [fullName(attached)];
      }
      analysisResults.push({
        attachedResourceFullName: fullName(attached),
        iamBinding: b,
        accessControlLists: [
          {
            resources: resources.map(fullResourceName => ({fullResourceName})),
            accesses: [{role: b.role}],
            ...(b.condition
              ? {conditionEvaluation: {evaluationValue: conditional}}
              : {}),
          },
        ],
        identityList: {identities: identities.map(name => ({name}))},
        fullyExplored: true,
      });
    }
  }
  return {
    status: 200,
    body: {
      mainAnalysis: {
        analysisQuery: {
          scope: s.scope,
          ...(resource ? {resourceSelector: {fullResourceName: resource}} : {}),
          ...(identity ? {identitySelector: {identity}} : {}),
          ...(roles.length ? {accessSelector: {roles}} : {}),
          options: {expandGroups, expandResources},
        },
        ...(analysisResults.length ? {analysisResults} : {}),
        fullyExplored: true,
      },
      fullyExplored: true,
    },
  };
}
