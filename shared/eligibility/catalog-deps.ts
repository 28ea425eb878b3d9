/**
 * What a catalog is built from: the configuration, the ports it reads
 * through, a logger and a clock.
 */
import type {Config} from '../config';
import type {Logger} from '../log';
import type {
  AssetInventoryPort,
  DirectoryPort,
  ProjectSearchPort,
} from '../ports';
import {NotFoundError} from '../errors';
import type {EntitlementSet} from './types';

/** The dependencies of either catalog. */
export interface CatalogDeps {
  config: Pick<Config, 'scope' | 'availableProjectsQuery'>;
  assets: AssetInventoryPort;
  directory: DirectoryPort;
  /** Needed only when `config.availableProjectsQuery` is set. */
  projectSearch?: ProjectSearchPort;
  log: Logger;
  /** The clock that decides whether an activation has expired. */
  now?: () => Date;
}

/** The one answer for a project outside the scope or unknown: existence is never revealed. */
export function projectNotFound(projectId: string, cause?: unknown) {
  return new NotFoundError(
    `Project ${projectId} does not exist or is not in scope`,
    cause === undefined ? undefined : {cause},
  );
}

/** Checks the dependencies a catalog needs, when it is built. */
export function checkCatalogDeps(deps: CatalogDeps): void {
  if (!deps.assets || !deps.directory || !deps.log || !deps.config) {
    throw new Error(
      'an eligibility catalog needs config, assets, directory and log',
    );
  }
  if (deps.config.availableProjectsQuery && !deps.projectSearch) {
    throw new Error(
      'AVAILABLE_PROJECTS_QUERY is set: the catalog needs a ProjectSearchPort',
    );
  }
}

/** Upstream's non-personalised project list (AVAILABLE_PROJECTS_QUERY). */
export async function searchAvailableProjects(
  deps: CatalogDeps,
  query: string,
): Promise<string[]> {
  if (!deps.projectSearch) {
    throw new Error('AVAILABLE_PROJECTS_QUERY needs a ProjectSearchPort');
  }
  const ids = await deps.projectSearch.searchProjects(query);
  return [...new Set(ids)].sort();
}

/** Logs each public-binding warning of a computed set, once per lookup. */
export function logPublicBindingWarnings(
  log: Logger,
  set: EntitlementSet,
  user: string,
  project: string,
): void {
  for (const warning of set.warnings) {
    log.warn(warning, {event: 'eligibility.publicBinding', user, project});
  }
}
