/** Resource Manager v3 `projects:search` (AVAILABLE_PROJECTS_QUERY). */
export interface ProjectSearchPort {
  /** Project IDs of the active projects matching the query; every page is read. */
  searchProjects(query: string): Promise<string[]>;
}
