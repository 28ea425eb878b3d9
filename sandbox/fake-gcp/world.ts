/**
 * The seeded world the fake Google Cloud computes every answer from. Loaded
 * from JSON (sandbox/seed.json in the sandbox, built in code by tests). The
 * fake imports nothing from shared/: it must never agree with a bug in the
 * product.
 */

export interface WorldBinding {
  role: string;
  members: string[];
  condition?: {title?: string; description?: string; expression: string};
}

export interface WorldPolicy {
  version?: number;
  etag?: string;
  bindings?: WorldBinding[];
  auditConfigs?: unknown[];
}

export interface WorldProject {
  projectId: string;
  projectNumber: string;
  /** `folders/<n>` or `organizations/<n>`. */
  parent: string;
  displayName?: string;
  /** `ACTIVE` (default) or `DELETE_REQUESTED`. */
  state?: string;
  labels?: Record<string, string>;
}

export interface WorldFolder {
  /** `folders/<n>`. */
  name: string;
  parent: string;
  displayName?: string;
}

export interface WorldGroup {
  email: string;
  /** `groups/<id>`; derived from the email when absent. */
  name?: string;
  displayName?: string;
  /** Member emails: users or other groups. */
  members: string[];
}

export interface WorldBackendService {
  project: string;
  name: string;
  id: string;
  /** Absent for a global backend service. */
  region?: string;
}

export interface WorldUser {
  email: string;
  displayName?: string;
}

/** A message as Pub/Sub keeps it: `data` base64, as published. */
export interface WorldMessage {
  messageId: string;
  data?: string;
  attributes?: Record<string, string>;
  /** RFC 3339. */
  publishTime: string;
}

/** A space the Chat app is a member of. */
export interface WorldChatSpace {
  spaceType: 'SPACE' | 'DIRECT_MESSAGE';
  /** For a direct message: the person (`users/<id>`) on the other side. */
  user?: string;
  displayName?: string;
}

/** A message the Chat app posted, as the Chat API keeps it. */
export interface WorldChatMessage {
  /** `spaces/<s>/messages/<m>`. */
  name: string;
  text?: string;
  fallbackText?: string;
  cardsV2?: unknown[];
  /** The `requestId` it was created with, if any (idempotency). */
  requestId?: string;
  /** RFC 3339. */
  createTime: string;
  lastUpdateTime?: string;
}

export interface World {
  organization?: {name: string; displayName?: string; domain?: string};
  folders?: WorldFolder[];
  projects?: WorldProject[];
  /** Policies by resource name: `projects/<id>`, `folders/<n>`, `organizations/<n>`. */
  policies?: Record<string, WorldPolicy>;
  users?: WorldUser[];
  groups?: WorldGroup[];
  /** Cloud Identity customer domain(s). */
  domains?: string[];
  backendServices?: WorldBackendService[];
  metadata?: {
    projectId?: string;
    projectNumber?: string;
    /** e.g. `europe-west1`. */
    region?: string;
    zone?: string;
    serviceAccountEmail?: string;
  };
  /**
   * Pub/Sub topics by name `projects/<id>/topics/<t>`, each with the messages
   * published to it so far (seed with `[]`); a topic not listed answers 404.
   */
  topics?: Record<string, WorldMessage[]>;
  /**
   * Google Chat: the spaces the app is in (by name `spaces/<s>`; a space not
   * listed answers 404) and the messages it posted there, oldest first.
   */
  chat?: {
    spaces?: Record<string, WorldChatSpace>;
    messages?: WorldChatMessage[];
  };
  /** Secret versions by name `projects/<p>/secrets/<s>/versions/<v>`: payload text. */
  secrets?: Record<string, string>;
  /**
   * Permissions the caller lacks, e.g. `compute.backendServices.get`: a
   * method that needs one answers 403 naming it, as Google does.
   */
  deniedPermissions?: string[];
  /** Cloud Identity: searchTransitiveGroups/Memberships need a premium edition. */
  identityPremium?: boolean;
}
