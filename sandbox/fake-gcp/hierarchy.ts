/**
 * The resource hierarchy of the world: lookups, ancestors, and the full
 * resource names Cloud Asset speaks (`//cloudresourcemanager.googleapis.com/…`).
 */
import type {World, WorldProject} from './world';

export const CRM = '//cloudresourcemanager.googleapis.com/';

/** A project by ID or number. */
export function findProject(
  world: World,
  idOrNumber: string,
): WorldProject | undefined {
  return (world.projects ?? []).find(
    p => p.projectId === idOrNumber || p.projectNumber === idOrNumber,
  );
}

/**
 * The canonical resource name for a `projects/<id|number>`, `folders/<n>` or
 * `organizations/<n>` name, projects by ID (the key of `world.policies`);
 * undefined when the world does not have it.
 */
export function canonical(world: World, name: string): string | undefined {
  const [kind, id] = name.split('/');
  if (!id || name.split('/').length !== 2) return undefined;
  switch (kind) {
    case 'projects': {
      const p = findProject(world, id);
      return p ? `projects/${p.projectId}` : undefined;
    }
    case 'folders':
      return (world.folders ?? []).some(f => f.name === name)
        ? name
        : undefined;
    case 'organizations':
      return world.organization?.name === name ? name : undefined;
    default:
      return undefined;
  }
}

/** The parent of a canonical resource name, or undefined at the top. */
export function parentOf(world: World, name: string): string | undefined {
  if (name.startsWith('projects/')) {
    return findProject(world, name.slice('projects/'.length))?.parent;
  }
  if (name.startsWith('folders/')) {
    return (world.folders ?? []).find(f => f.name === name)?.parent;
  }
  return undefined;
}

/** The resource and its ancestors, nearest first; cycle-safe. */
export function ancestry(world: World, name: string): string[] {
  const chain: string[] = [];
  let at: string | undefined = name;
  while (at !== undefined && !chain.includes(at)) {
    chain.push(at);
    at = parentOf(world, at);
  }
  return chain;
}

/** Projects at or below a canonical resource name. */
export function projectsUnder(world: World, name: string): WorldProject[] {
  return (world.projects ?? []).filter(p =>
    ancestry(world, `projects/${p.projectId}`).includes(name),
  );
}

/** Folders strictly below a canonical resource name. */
export function foldersUnder(world: World, name: string): string[] {
  return (world.folders ?? [])
    .filter(f => f.name !== name && ancestry(world, f.name).includes(name))
    .map(f => f.name);
}

/**
 * Cloud Asset's full resource name. A project is named by ID here
 * (`//cloudresourcemanager.googleapis.com/projects/<id>`) and by number in
 * the separate `project` field, as Cloud Asset answers.
 */
export function fullName(canonicalName: string): string {
  return CRM + canonicalName;
}

/** Parses a full resource name into a canonical one, if it is a container. */
export function fromFullName(world: World, full: string): string | undefined {
  if (!full.startsWith(CRM)) return undefined;
  return canonical(world, full.slice(CRM.length));
}

/** `projects/<number>` of a project-level resource, for Cloud Asset's `project` field. */
export function projectNumberName(
  world: World,
  canonicalName: string,
): string | undefined {
  if (!canonicalName.startsWith('projects/')) return undefined;
  const p = findProject(world, canonicalName.slice('projects/'.length));
  return p ? `projects/${p.projectNumber}` : undefined;
}

/** `folders/<n>` ancestors of a resource, nearest first. */
export function folderAncestors(world: World, canonicalName: string): string[] {
  return ancestry(world, canonicalName)
    .slice(canonicalName.startsWith('folders/') ? 0 : 1)
    .filter(n => n.startsWith('folders/'));
}

/** The organization a resource sits under, if any. */
export function organizationOf(
  world: World,
  canonicalName: string,
): string | undefined {
  return ancestry(world, canonicalName).find(n =>
    n.startsWith('organizations/'),
  );
}
