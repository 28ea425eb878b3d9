/**
 * Group membership in the world: direct and nested, cycle-safe, as Cloud
 * Identity and the IAM policy analyser both see it.
 */
import {createHash} from 'crypto';
import type {World, WorldGroup} from './world';

const lower = (s: string) => s.toLowerCase();

export function findGroup(world: World, email: string): WorldGroup | undefined {
  return (world.groups ?? []).find(g => lower(g.email) === lower(email));
}

/** Cloud Identity's resource name of a group: `groups/<opaque id>`. */
export function groupName(g: WorldGroup): string {
  return (
    g.name ??
    `groups/${createHash('sha1').update(lower(g.email)).digest('hex').slice(0, 16)}`
  );
}

export function findGroupByName(
  world: World,
  name: string,
): WorldGroup | undefined {
  return (world.groups ?? []).find(g => groupName(g) === name);
}

/** Groups that list `email` as a direct member. */
export function directGroupsOf(world: World, email: string): WorldGroup[] {
  return (world.groups ?? []).filter(g =>
    g.members.some(m => lower(m) === lower(email)),
  );
}

/** Every group `email` belongs to, directly or through nested groups. */
export function transitiveGroupsOf(world: World, email: string): WorldGroup[] {
  const seen = new Map<string, WorldGroup>();
  const queue = [email];
  while (queue.length) {
    const next = queue.shift()!;
    for (const g of directGroupsOf(world, next)) {
      if (!seen.has(lower(g.email)) && lower(g.email) !== lower(email)) {
        seen.set(lower(g.email), g);
        queue.push(g.email);
      }
    }
  }
  return [...seen.values()];
}

/** Every member of a group, nested groups expanded (they are listed too). */
export function transitiveMembersOf(
  world: World,
  groupEmail: string,
): {email: string; isGroup: boolean}[] {
  const out = new Map<string, {email: string; isGroup: boolean}>();
  const queue = [groupEmail];
  const visited = new Set([lower(groupEmail)]);
  while (queue.length) {
    const g = findGroup(world, queue.shift()!);
    for (const m of g?.members ?? []) {
      const isGroup = findGroup(world, m) !== undefined;
      if (lower(m) !== lower(groupEmail)) {
        out.set(lower(m), {email: lower(m), isGroup});
      }
      if (isGroup && !visited.has(lower(m))) {
        visited.add(lower(m));
        queue.push(m);
      }
    }
  }
  return [...out.values()];
}

/**
 * Whether an IAM principal (`user:…`, `group:…`, `domain:…`, `allUsers`, …)
 * covers the identity `user:<email>` or `group:<email>`, groups expanded.
 */
export function principalCovers(
  world: World,
  principal: string,
  identity: string,
): boolean {
  const p = lower(principal);
  const id = lower(identity);
  if (p === id) return true;
  const email = id.slice(id.indexOf(':') + 1);
  if (p === 'allusers') return true;
  if (p === 'allauthenticatedusers') return !id.startsWith('group:');
  if (p.startsWith('domain:')) {
    return email.endsWith('@' + p.slice('domain:'.length));
  }
  if (p.startsWith('group:')) {
    const group = p.slice('group:'.length);
    return transitiveGroupsOf(world, email).some(g => lower(g.email) === group);
  }
  return false;
}
