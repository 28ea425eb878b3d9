/**
 * Names the eligibility code reads and checks: project IDs, role names and
 * Cloud Resource Manager full resource names.
 */

const CRM = '//cloudresourcemanager.googleapis.com/';

export {isValidProjectId, isValidRoleName} from '../limits';

/** `//cloudresourcemanager.googleapis.com/projects/<id>`. */
export function projectFullName(projectId: string): string {
  return `${CRM}projects/${projectId}`;
}

/** The full resource name of a scope (`projects/…`, `folders/…`, `organizations/…`). */
export function scopeFullName(scope: string): string {
  return CRM + scope;
}

/**
 * The relative name (`projects/x`, `folders/1`, `organizations/2`) of a
 * Resource Manager full resource name, or undefined for any other resource
 * (a bucket, an instance …), which eligibility ignores.
 */
export function containerName(fullName: string): string | undefined {
  if (!fullName.startsWith(CRM)) return undefined;
  const rest = fullName.slice(CRM.length);
  return /^(?:projects|folders|organizations)\/[^/]+$/.test(rest)
    ? rest
    : undefined;
}

/** The project ID or number of a project's full resource name, else undefined. */
export function projectOf(fullName: string): string | undefined {
  const name = containerName(fullName);
  return name?.startsWith('projects/')
    ? name.slice('projects/'.length)
    : undefined;
}

/** The project a `projects/<id>` scope names, else undefined. */
export function scopeProject(scope: string): string | undefined {
  return scope.startsWith('projects/')
    ? scope.slice('projects/'.length)
    : undefined;
}
