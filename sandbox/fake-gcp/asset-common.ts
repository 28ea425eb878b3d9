/**
 * What the Cloud Asset methods of the fake share: the scope of a request,
 * the resources and policies within it, and the fields every result carries.
 */
import {parseAssetQuery} from './asset-query';
import {
  folderAncestors,
  foldersUnder,
  canonical,
  organizationOf,
  projectNumberName,
  projectsUnder,
} from './hierarchy';
import {denied, permissionDenied} from './iam';
import type {FakeGoogleCloud, FakeRequest, FakeResponse} from './server';
import {googleError} from './server';
import type {World, WorldBinding} from './world';

export const DOMAIN = 'cloudasset.googleapis.com';
export const SCOPE = '(projects|folders|organizations)\\/([^/:]+)';

export const ASSET_TYPE: Record<string, string> = {
  projects: 'cloudresourcemanager.googleapis.com/Project',
  folders: 'cloudresourcemanager.googleapis.com/Folder',
  organizations: 'cloudresourcemanager.googleapis.com/Organization',
};

export function assetTypeOf(name: string): string {
  return ASSET_TYPE[name.split('/')[0]!]!;
}

/** The scope of the path, or the 403 Google answers (also for an unknown scope). */
export function scopeOf(
  fake: FakeGoogleCloud,
  req: FakeRequest,
  permission: string,
): {scope: string} | {error: FakeResponse} {
  const raw = `${req.params[0]}/${decodeURIComponent(req.params[1] ?? '')}`;
  const scope = canonical(fake.world, raw);
  if (!scope || denied(fake, permission)) {
    return {error: permissionDenied(permission, raw, DOMAIN)};
  }
  return {scope};
}

/** The scope itself, the folders below it, then the projects below it. */
export function resourcesIn(world: World, scope: string): string[] {
  return [
    scope,
    ...foldersUnder(world, scope),
    ...projectsUnder(world, scope)
      .map(p => `projects/${p.projectId}`)
      .filter(p => p !== scope),
  ];
}

export function bindingsOf(world: World, name: string): WorldBinding[] {
  return world.policies?.[name]?.bindings ?? [];
}

export function location(world: World, name: string): Record<string, unknown> {
  const project = projectNumberName(world, name);
  const folders = folderAncestors(world, name);
  const organization = organizationOf(world, name);
  return {
    ...(project ? {project} : {}),
    ...(folders.length ? {folders} : {}),
    ...(organization ? {organization} : {}),
  };
}

export function enumValue(
  req: FakeRequest,
  name: string,
  number: number,
): string | number {
  return (req.query.get('$alt') ?? '').includes('enum-encoding=int')
    ? number
    : name;
}

export function assetTypesFilter(req: FakeRequest): (type: string) => boolean {
  const wanted = req.query.getAll('assetTypes');
  if (!wanted.length) return () => true;
  // Asset types may be regular expressions (e.g. `.*Project`), per the reference.
  const res = wanted.map(w => new RegExp(`^(?:${w})$`));
  return type => res.some(re => re.test(type));
}

export function parseQuery(
  req: FakeRequest,
): {node: ReturnType<typeof parseAssetQuery>} | {error: FakeResponse} {
  try {
    return {node: parseAssetQuery(req.query.get('query') ?? '')};
  } catch (e) {
    return {error: googleError(400, `Invalid query: ${(e as Error).message}.`)};
  }
}
