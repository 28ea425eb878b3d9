/**
 * Names the eligibility code reads and checks: project IDs, role names and
 * Cloud Resource Manager full resource names.
 */

const CRM = '//cloudresourcemanager.googleapis.com/';

// A project ID: 6 to 30 characters, lower-case letters, digits and hyphens,
// starting with a letter, not ending with a hyphen. Legacy domain-scoped IDs
// (`example.com:my-project`) are accepted as Google still serves them.
const PROJECT_ID = /^(?:[a-z0-9.-]{1,253}:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

// Predefined roles (`roles/x.y`) and custom roles of a project or organization.
const ROLE_NAME =
  /^(?:roles\/[A-Za-z0-9_.]{1,128}|projects\/(?:[a-z0-9.-]{1,253}:)?[a-z][a-z0-9-]{4,28}[a-z0-9]\/roles\/[A-Za-z0-9_.]{1,64}|organizations\/[0-9]{1,20}\/roles\/[A-Za-z0-9_.]{1,64})$/;

/** Whether `id` is a well-formed project ID. */
export function isValidProjectId(id: string): boolean {
  return PROJECT_ID.test(id);
}

/** Whether `role` is a well-formed IAM role name. */
export function isValidRoleName(role: string): boolean {
  return ROLE_NAME.test(role);
}

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
