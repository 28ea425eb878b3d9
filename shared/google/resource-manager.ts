/**
 * ProjectIamPort and ProjectSearchPort on @googleapis/cloudresourcemanager
 * (v3), aimed at `config.endpoints.cloudResourceManager`.
 *
 * Only the v3 module of the package is loaded (the index loads every version).
 * `setIamPolicy` sends no update mask, so Resource Manager applies its default
 * `bindings,etag`: audit configs can never be changed by this product, even
 * by a bug. A 409 ABORTED or 412 on a stale etag surfaces as ConflictError
 * for the caller to re-read and re-apply; it is never retried here.
 */
import type {cloudresourcemanager_v3} from '@googleapis/cloudresourcemanager';
import type {GoogleAuth} from 'google-auth-library';
import type {Config} from '../config';
import type {Logger} from '../log';
import type {IamPolicy, ProjectIamPort, ProjectSearchPort} from '../ports';
import {requester} from './auth';
import {
  callGoogle,
  DEFAULT_RETRY_POLICY,
  retryPolicy,
  type AdapterOptions,
} from './edge';

const DEFAULT_ENDPOINT = 'https://cloudresourcemanager.googleapis.com';

function client(config: Config): cloudresourcemanager_v3.Cloudresourcemanager {
  const v3 = require('@googleapis/cloudresourcemanager/build/v3') as {
    cloudresourcemanager_v3: typeof cloudresourcemanager_v3;
  };
  const endpoint = config.endpoints.cloudResourceManager ?? DEFAULT_ENDPOINT;
  return new v3.cloudresourcemanager_v3.Cloudresourcemanager({
    // googleapis-common only calls request() on it; its type predates PassThroughClient.
    auth: requester(config.endpoints.cloudResourceManager) as GoogleAuth,
    rootUrl: endpoint + '/',
  });
}

/**
 * Percent-encodes what HTTP headers cannot carry (anything outside printable
 * ASCII) and `%` itself, as UTF-8 bytes: `x-goog-request-reason` must be ASCII.
 */
export function encodeRequestReason(reason: string): string {
  return reason.replace(/[^\x20-\x24\x26-\x7e]/gu, c =>
    [...Buffer.from(c, 'utf8')]
      .map(b => '%' + b.toString(16).toUpperCase().padStart(2, '0'))
      .join(''),
  );
}

/** Drops the nulls the generated types allow, keeping everything else as sent. */
function toPolicy(data: cloudresourcemanager_v3.Schema$Policy): IamPolicy {
  return JSON.parse(JSON.stringify(data), (_k, v: unknown) =>
    v === null ? undefined : v,
  ) as IamPolicy;
}

/** Builds the project IAM adapter; the client library loads on first use. */
export function makeProjectIamClient(
  config: Config,
  log: Logger,
  options?: AdapterOptions,
): ProjectIamPort {
  // A policy write must end within DEFAULT_RETRY_POLICY.deadlineMs of its
  // last start (ACTIVATION_WRITE_BUDGET_MS, shared/activation/activator.ts),
  // whatever the BACKEND_* timeouts allow one attempt.
  const configured = retryPolicy(options, config.backend);
  const policy = {
    ...configured,
    deadlineMs: Math.min(
      configured.deadlineMs,
      options?.retry?.deadlineMs ?? DEFAULT_RETRY_POLICY.deadlineMs,
    ),
  };
  let crm: cloudresourcemanager_v3.Cloudresourcemanager | undefined;
  const api = () => (crm ??= client(config));
  return {
    async getIamPolicy(projectId) {
      const res = await callGoogle(
        {
          method: 'cloudresourcemanager.projects.getIamPolicy',
          permission: 'resourcemanager.projects.getIamPolicy',
          resource: `project ${projectId}`,
        },
        log,
        policy,
        timeout =>
          api().projects.getIamPolicy(
            {
              resource: `projects/${projectId}`,
              requestBody: {options: {requestedPolicyVersion: 3}},
            },
            {timeout, retry: false},
          ),
      );
      return toPolicy(res.data);
    },

    async setIamPolicy(projectId, iamPolicy, opts) {
      const headers: Record<string, string> = {};
      if (opts?.requestReason) {
        headers['x-goog-request-reason'] = encodeRequestReason(
          opts.requestReason,
        );
      }
      const res = await callGoogle(
        {
          method: 'cloudresourcemanager.projects.setIamPolicy',
          permission: 'resourcemanager.projects.setIamPolicy',
          resource: `project ${projectId}`,
        },
        log,
        policy,
        timeout =>
          api().projects.setIamPolicy(
            {
              resource: `projects/${projectId}`,
              requestBody: {
                policy: {
                  ...(iamPolicy as cloudresourcemanager_v3.Schema$Policy),
                  version: 3,
                },
              },
            },
            {timeout, retry: false, headers},
          ),
      );
      return toPolicy(res.data);
    },
  };
}

/** Builds the project search adapter (AVAILABLE_PROJECTS_QUERY). */
export function makeProjectSearchClient(
  config: Config,
  log: Logger,
  options?: AdapterOptions,
): ProjectSearchPort {
  const policy = retryPolicy(options, config.backend);
  let crm: cloudresourcemanager_v3.Cloudresourcemanager | undefined;
  const api = () => (crm ??= client(config));
  return {
    async searchProjects(query) {
      const ids: string[] = [];
      let pageToken: string | undefined;
      do {
        const token = pageToken;
        const res = await callGoogle(
          {
            method: 'cloudresourcemanager.projects.search',
            permission: 'resourcemanager.projects.get',
          },
          log,
          policy,
          timeout =>
            api().projects.search(
              {query, pageToken: token, pageSize: 500},
              {timeout, retry: false},
            ),
        );
        for (const p of res.data.projects ?? []) {
          if (p.projectId && (p.state ?? 'ACTIVE') === 'ACTIVE') {
            ids.push(p.projectId);
          }
        }
        pageToken = res.data.nextPageToken ?? undefined;
      } while (pageToken);
      return ids;
    },
  };
}
