/**
 * Every route of the fake Google Cloud, in one list. The first route whose
 * method and pattern match a request answers it.
 */
import type {FakeRoute} from './server';
import {assetRoutes} from './asset';
import {chatRoutes} from './chat';
import {computeRoutes} from './compute';
import {identityRoutes} from './identity';
import {metadataRoutes} from './metadata';
import {pubsubRoutes} from './pubsub';
import {resourceManagerRoutes} from './resource-manager';
import {secretManagerRoutes} from './secret-manager';

/** All routes, in match order. */
export function allRoutes(): FakeRoute[] {
  return [
    ...metadataRoutes,
    ...computeRoutes,
    ...resourceManagerRoutes,
    ...assetRoutes,
    ...identityRoutes,
    ...secretManagerRoutes,
    ...pubsubRoutes,
    ...chatRoutes,
  ];
}
