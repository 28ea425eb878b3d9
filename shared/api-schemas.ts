/**
 * The JSON API's bodies and answers as zod schemas (docs/design.md §2.1):
 * the OpenAPI document (shared/openapi.ts) is generated from them, the
 * routes check each POST body's fields with `fieldsOf` them, and a test
 * proves every schema and its type in shared/api.ts describe the same shape.
 *
 * The routes check the fields, not their values: the use cases check the
 * values, so that a refusal names the field the way the product explains
 * it (and is audited with what was sent).
 */
import {z, type ZodRawShape, type ZodTypeAny} from 'zod';
import {ActivationType, EntitlementStatus} from './eligibility/types';
import {RequestState} from './approvals/types';
import {GrantEvent, GrantState} from './grants/types';
import {ErrorStatus} from './errors';

const time = z.string().describe('RFC 3339, UTC');
const email = z.string().describe('an email address, lower-case');

// ---- bodies ------------------------------------------------------------------

export const EntitlementNameSchema = z.union([
  z.string().describe('a role, when the caller has one entitlement of it'),
  z.strictObject({role: z.string(), resourceCondition: z.string().optional()}),
]);

export const SelfActivateBodySchema = z.strictObject({
  roles: z.array(EntitlementNameSchema).min(1),
  justification: z.string(),
  durationMinutes: z.number().int().positive(),
});

export const RequestRoleBodySchema = z.strictObject({
  role: z.string(),
  resourceCondition: z.string().optional(),
  justification: z.string(),
  durationMinutes: z.number().int().positive(),
  reviewers: z.array(email),
});

export const ApproveBodySchema = z.strictObject({
  comment: z.string().optional(),
});
export const DenyBodySchema = z.strictObject({reason: z.string()});
export const RevokeBodySchema = z.strictObject({
  reason: z.string().optional(),
});
export const EmptyBodySchema = z.strictObject({});

/**
 * The route's check of a body: the same fields (unknown ones refused, lists
 * kept lists), any values; the use case checks the values.
 */
export function fieldsOf<T extends ZodRawShape>(
  schema: z.ZodObject<T>,
): z.ZodObject<Record<keyof T, ZodTypeAny>, 'strict'> {
  const shape: Record<string, ZodTypeAny> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const optional = field.isOptional();
    const inner =
      field instanceof z.ZodOptional ? (field.unwrap() as ZodTypeAny) : field;
    const loose =
      inner instanceof z.ZodArray ? z.array(z.unknown()) : z.unknown();
    shape[key] = optional ? loose.optional() : loose;
  }
  return z.strictObject(shape) as z.ZodObject<
    Record<keyof T, ZodTypeAny>,
    'strict'
  >;
}

// ---- answers -----------------------------------------------------------------

export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.number().int(),
    status: z.enum(ErrorStatus),
    message: z.string(),
  }),
});

export const HealthCheckResponseSchema = z.object({
  healthy: z.boolean(),
  details: z.record(z.boolean()),
});

export const PolicyResponseSchema = z.object({
  signedInUser: z.object({email}),
  justificationHint: z.string(),
  justificationPattern: z.string(),
  defaultActivationMinutes: z.number().int(),
  maxActivationMinutes: z.number().int(),
  minReviewers: z.number().int(),
  maxReviewers: z.number().int(),
  requiredApprovals: z.number().int(),
  maxRoles: z.number().int(),
  requestTimeoutMinutes: z.number().int(),
  scope: z.string(),
});

export const ProjectsResponseSchema = z.object({projects: z.array(z.string())});

export const EntitlementSchema = z.object({
  role: z.string(),
  resourceCondition: z.string().optional(),
  activationType: z.enum(ActivationType),
  status: z.enum(EntitlementStatus),
  validUntil: time.optional(),
  requestId: z.string().optional(),
});

export const RolesResponseSchema = z.object({
  roles: z.array(EntitlementSchema),
  warnings: z.array(z.string()),
});

export const PeersResponseSchema = z.object({peers: z.array(email)});

export const ActivationSchema = z.object({
  role: z.string(),
  resourceCondition: z.string().optional(),
  project: z.string(),
  start: time,
  end: time,
  grantId: z.string(),
});

export const SelfActivateResponseSchema = z.object({
  activations: z.array(ActivationSchema),
});

const DeliveryStatusSchema = z.object({
  delivered: z.boolean(),
  error: z.string().optional(),
});
const EventStatusSchema = z.object({
  published: z.boolean(),
  error: z.string().optional(),
});

const ChatStatusSchema = z.object({
  delivered: z.boolean(),
  error: z.string().optional(),
  messages: z.array(z.string()),
  final: z.boolean().optional(),
});

export const AccessRequestSchema = z.object({
  id: z.string(),
  project: z.string(),
  role: z.string(),
  resourceCondition: z.string().optional(),
  requester: email,
  reviewers: z.array(email),
  justification: z.string(),
  durationMinutes: z.number().int(),
  state: z.enum(RequestState),
  approvals: z.array(
    z.object({reviewer: email, at: time, comment: z.string().optional()}),
  ),
  requiredApprovals: z.number().int(),
  createdAt: time,
  expiresAt: time,
  decidedAt: time.optional(),
  decidedBy: z.string().optional(),
  reason: z.string().optional(),
  activation: z.object({start: time, end: time}).optional(),
  error: z.string().optional(),
  notification: DeliveryStatusSchema.optional(),
  event: EventStatusSchema.optional(),
  chat: ChatStatusSchema.optional(),
  lastRemindedAt: time.optional(),
});

export const RequestsResponseSchema = z.object({
  requests: z.array(AccessRequestSchema),
});

export const GrantSchema = z.object({
  id: z.string(),
  user: email,
  project: z.string(),
  role: z.string(),
  resourceCondition: z.string().optional(),
  start: time,
  end: time,
  justification: z.string(),
  origin: z.string().describe('self, or the id of the request'),
  approvers: z.array(email),
  binding: z.object({
    role: z.string(),
    member: z.string(),
    title: z.string(),
    expression: z.string(),
    description: z.string(),
  }),
  state: z.enum(GrantState),
  externallyModified: z.boolean().optional(),
  error: z.string().optional(),
  revokedBy: z.string().optional(),
  revokeReason: z.string().optional(),
  createdAt: time,
  updatedAt: time,
  sortKey: z.string(),
  timeline: z.array(
    z.object({
      at: time,
      actor: z.string(),
      event: z.enum(GrantEvent),
      detail: z.string().optional(),
    }),
  ),
});

export const GrantsResponseSchema = z.object({
  grants: z.array(GrantSchema),
  nextPageToken: z.string().optional(),
  auditor: z.boolean().optional(),
});

export const RevokeResponseSchema = z.object({
  grant: GrantSchema,
  bindingRemoved: z.boolean(),
  note: z.string(),
});

export const ReconcileResponseSchema = z.object({
  projectsRead: z.number().int(),
  grantsSettled: z.number().int(),
  driftFound: z.number().int(),
  orphans: z.array(
    z.object({
      project: z.string(),
      role: z.string(),
      member: z.string(),
      end: time,
    }),
  ),
  bindingsPurged: z.number().int(),
  policiesWritten: z.number().int(),
  requestsSettled: z.number().int(),
  cardsUpdated: z.number().int(),
  errors: z.array(z.object({project: z.string(), error: z.string()})),
});
