# jit-access-functions: both topologies, no circular dependency (docs/design.md §3, §6).
#
# Nothing here passes a backend service's ID to a Cloud Run service: in the lb
# topology each service is given the *name* of its backend service
# (IAP_BACKEND_SERVICE_NAME, audience rule 3), a literal known before anything
# exists, and may read that backend service (a custom role with
# compute.backendServices.get) to learn its ID at run time. The graph is
# services -> NEGs -> backend services -> URL map -> proxy -> forwarding rule.

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  lb         = var.topology == "lb"
  scope      = var.resource_scope != "" ? var.resource_scope : "projects/${var.project_id}"
  scope_kind = split("/", local.scope)[0]
  scope_id   = split("/", local.scope)[1]
  collection = "${var.firestore_collection_prefix}requests"
  grants     = "${var.firestore_collection_prefix}grants"

  # Each function, its service (and, in lb, its backend service and NEG) name,
  # and what its service account needs (docs/deploy.md explains each role).
  # reconcile (docs/grants.md) is in both topologies, behind no IAP: Cloud
  # Scheduler calls it, and only the scheduler's account may invoke it.
  # chat (docs/chat.md), with CHAT_SPACE or CHAT_DIRECT_MESSAGES, is in both
  # too, behind no IAP: Google Chat calls it, and it checks Chat's token
  # itself; it decides on requests with approve's rights.
  function_defs = {
    app       = { service = "jit-access", catalog = true, iam_admin = true, datastore = "roles/datastore.user", mail = true, groups = true, iap = true, events = true }
    roles     = { service = "jit-access-roles", catalog = true, iam_admin = false, datastore = "roles/datastore.viewer", mail = false, groups = true, iap = true, events = false }
    activate  = { service = "jit-access-activate", catalog = true, iam_admin = true, datastore = "roles/datastore.user", mail = true, groups = true, iap = true, events = true }
    approve   = { service = "jit-access-approve", catalog = true, iam_admin = true, datastore = "roles/datastore.user", mail = true, groups = true, iap = true, events = true }
    web       = { service = "jit-access-web", catalog = false, iam_admin = false, datastore = "", mail = false, groups = false, iap = true, events = false }
    reconcile = { service = "jit-access-reconcile", catalog = false, iam_admin = true, datastore = "roles/datastore.user", mail = false, groups = false, iap = false, events = true }
    chat      = { service = "jit-access-chat", catalog = true, iam_admin = true, datastore = "roles/datastore.user", mail = true, groups = true, iap = false, events = true }
  }
  chat_on   = lookup(var.settings, "CHAT_SPACE", "") != "" || lower(lookup(var.settings, "CHAT_DIRECT_MESSAGES", "false")) == "true"
  functions = { for k, f in local.function_defs : k => f if k == "reconcile" || (k == "chat" ? local.chat_on : (local.lb ? k != "app" : k == "app")) }
  # The functions behind IAP (and, in lb, the load balancer).
  served    = { for k, f in local.functions : k => f if f.iap }
  scheduled = var.reconcile_schedule != "off"

  catalog_roles = concat(
    ["roles/cloudasset.viewer"],
    var.resource_catalog == "PolicyAnalyzer" ? ["roles/iam.securityReviewer"] : [],
    lookup(var.settings, "AVAILABLE_PROJECTS_QUERY", "") != "" ? ["roles/browser"] : [],
  )
  scope_grants = merge([for k, f in local.functions : merge(
    f.catalog ? { for r in local.catalog_roles : "${k} ${r}" => { function = k, role = r } } : {},
    f.iam_admin ? { "${k} roles/resourcemanager.projectIamAdmin" = { function = k, role = "roles/resourcemanager.projectIamAdmin" } } : {},
  )]...)

  smtp_secret         = lookup(var.settings, "SMTP_SECRET", "")
  smtp_secret_project = local.smtp_secret == "" ? "" : try(regex("^projects/([^/]+)/secrets/", local.smtp_secret)[0], var.project_id)
  smtp_secret_id      = local.smtp_secret == "" ? "" : try(regex("secrets/([^/]+)", local.smtp_secret)[0], local.smtp_secret)

  # NOTIFICATION_TOPIC: a topic name in project_id, or projects/P/topics/T.
  notification_topic = lookup(var.settings, "NOTIFICATION_TOPIC", "")
  topic_project      = local.notification_topic == "" ? "" : try(regex("^projects/([^/]+)/topics/", local.notification_topic)[0], var.project_id)
  topic_id           = local.notification_topic == "" ? "" : try(regex("topics/([^/]+)$", local.notification_topic)[0], local.notification_topic)

  public_base_url = lookup(var.settings, "PUBLIC_BASE_URL",
    local.lb ? "https://${var.domain}" : "https://jit-access-${data.google_project.this.number}.${var.region}.run.app",
  )
  common_env = merge(var.settings, {
    GOOGLE_CLOUD_PROJECT        = var.project_id
    PROJECT_NUMBER              = data.google_project.this.number
    RESOURCE_SCOPE              = local.scope
    RESOURCE_CATALOG            = var.resource_catalog
    FIRESTORE_DATABASE          = var.firestore_database
    FIRESTORE_COLLECTION_PREFIX = var.firestore_collection_prefix
    PUBLIC_BASE_URL             = local.public_base_url
    NODE_ENV                    = "production" # the framework's own answers show no stack trace
  })
  # single: audience rule 4 (IAP on the Cloud Run service) needs no setting.
  # lb: rule 3, the backend service's name, which equals the service's.
  # chat: the audience of Chat's tokens, the project number (known before
  # the service exists) unless settings name the endpoint URL.
  env = { for k, f in local.functions : k => merge(local.common_env,
    { FUNCTION_TARGET = k },
    local.lb && f.iap ? { IAP_BACKEND_SERVICE_NAME = f.service } : {},
    k == "chat" ? { CHAT_AUDIENCE = lookup(var.settings, "CHAT_AUDIENCE", data.google_project.this.number) } : {},
  ) }

  apis = concat(
    ["run.googleapis.com", "iap.googleapis.com", "cloudasset.googleapis.com", "cloudresourcemanager.googleapis.com",
    "cloudidentity.googleapis.com", "firestore.googleapis.com", "iam.googleapis.com"],
    local.lb ? ["compute.googleapis.com"] : [],
    var.dns_zone != "" ? ["dns.googleapis.com"] : [],
    local.smtp_secret != "" ? ["secretmanager.googleapis.com"] : [],
    local.topic_id != "" ? ["pubsub.googleapis.com"] : [],
    local.scheduled ? ["cloudscheduler.googleapis.com"] : [],
    local.chat_on ? ["chat.googleapis.com"] : [],
  )
}

resource "google_project_service" "apis" {
  for_each           = toset(local.apis)
  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

# ---- service accounts, least privilege ---------------------------------------

resource "google_service_account" "fn" {
  for_each     = local.functions
  project      = var.project_id
  account_id   = each.value.service
  display_name = "JIT Access (${each.key})"
  depends_on   = [google_project_service.apis]
}

resource "google_project_iam_member" "scope" {
  for_each = local.scope_kind == "projects" ? local.scope_grants : {}
  project  = local.scope_id
  role     = each.value.role
  member   = google_service_account.fn[each.value.function].member
}

resource "google_folder_iam_member" "scope" {
  for_each = local.scope_kind == "folders" ? local.scope_grants : {}
  folder   = "folders/${local.scope_id}"
  role     = each.value.role
  member   = google_service_account.fn[each.value.function].member
}

resource "google_organization_iam_member" "scope" {
  for_each = local.scope_kind == "organizations" ? local.scope_grants : {}
  org_id   = local.scope_id
  role     = each.value.role
  member   = google_service_account.fn[each.value.function].member
}

resource "google_project_iam_member" "datastore" {
  for_each = { for k, f in local.functions : k => f if f.datastore != "" }
  project  = var.project_id
  role     = each.value.datastore
  member   = google_service_account.fn[each.key].member
}

resource "google_secret_manager_secret_iam_member" "smtp" {
  for_each  = local.smtp_secret == "" ? {} : { for k, f in local.functions : k => f if f.mail }
  project   = local.smtp_secret_project
  secret_id = local.smtp_secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.fn[each.key].member
}

# The topic of NOTIFICATION_TOPIC: created when it lives in project_id (unless
# create_notification_topic is false); the functions that decide on requests
# or grants publish to it (reconcile: ActivationExternallyModified).
resource "google_pubsub_topic" "events" {
  count      = local.topic_id != "" && local.topic_project == var.project_id && var.create_notification_topic ? 1 : 0
  project    = var.project_id
  name       = local.topic_id
  depends_on = [google_project_service.apis]
}

resource "google_pubsub_topic_iam_member" "publisher" {
  for_each = local.topic_id == "" ? {} : { for k, f in local.functions : k => f if f.events }
  project  = local.topic_project
  topic    = local.topic_id
  role     = "roles/pubsub.publisher"
  member   = google_service_account.fn[each.key].member
  # The topic, when this module creates it.
  depends_on = [google_pubsub_topic.events]
}

# lb: audience rule 3 reads the backend service to learn its ID.
resource "google_project_iam_custom_role" "backend_service_reader" {
  count       = local.lb ? 1 : 0
  project     = var.project_id
  role_id     = "jitAccessBackendServiceReader"
  title       = "JIT Access backend service reader"
  description = "Lets the JIT Access functions look up their backend service's ID to pin the IAP audience."
  permissions = ["compute.backendServices.get"]
}

resource "google_project_iam_member" "backend_service_reader" {
  for_each = local.lb ? local.served : {}
  project  = var.project_id
  role     = google_project_iam_custom_role.backend_service_reader[0].name
  member   = google_service_account.fn[each.key].member
}

# ---- Firestore ----------------------------------------------------------------

resource "google_firestore_database" "this" {
  count       = var.create_firestore_database ? 1 : 0
  project     = var.project_id
  name        = var.firestore_database
  location_id = var.firestore_location != "" ? var.firestore_location : var.region
  type        = "FIRESTORE_NATIVE"
  depends_on  = [google_project_service.apis]
}

# The composite indexes of firestore.indexes.json (a test checks that they agree).
locals {
  firestore_indexes = {
    requester_state = [["requester", "ASCENDING"], ["state", "ASCENDING"], ["createdAt", "DESCENDING"]]
    reviewers_state = [["reviewers", "CONTAINS"], ["state", "ASCENDING"], ["createdAt", "DESCENDING"]]
    requester       = [["requester", "ASCENDING"], ["createdAt", "DESCENDING"]]
    reviewers       = [["reviewers", "CONTAINS"], ["createdAt", "DESCENDING"]]
  }
}

# The grants listings' indexes (docs/grants.md): each equality filter the API
# allows before sortKey, as firestore.indexes.json (a test checks they agree).
locals {
  grant_indexes = {
    user                    = [["user", "ASCENDING"], ["sortKey", "DESCENDING"]]
    user_project            = [["user", "ASCENDING"], ["project", "ASCENDING"], ["sortKey", "DESCENDING"]]
    user_state              = [["user", "ASCENDING"], ["state", "ASCENDING"], ["sortKey", "DESCENDING"]]
    user_project_state      = [["user", "ASCENDING"], ["project", "ASCENDING"], ["state", "ASCENDING"], ["sortKey", "DESCENDING"]]
    approvers               = [["approvers", "CONTAINS"], ["sortKey", "DESCENDING"]]
    approvers_project       = [["approvers", "CONTAINS"], ["project", "ASCENDING"], ["sortKey", "DESCENDING"]]
    approvers_state         = [["approvers", "CONTAINS"], ["state", "ASCENDING"], ["sortKey", "DESCENDING"]]
    approvers_project_state = [["approvers", "CONTAINS"], ["project", "ASCENDING"], ["state", "ASCENDING"], ["sortKey", "DESCENDING"]]
    project                 = [["project", "ASCENDING"], ["sortKey", "DESCENDING"]]
    state                   = [["state", "ASCENDING"], ["sortKey", "DESCENDING"]]
    project_state           = [["project", "ASCENDING"], ["state", "ASCENDING"], ["sortKey", "DESCENDING"]]
  }
}

resource "google_firestore_index" "grants" {
  for_each   = local.grant_indexes
  project    = var.project_id
  database   = var.firestore_database
  collection = local.grants
  dynamic "fields" {
    for_each = each.value
    content {
      field_path   = fields.value[0]
      order        = fields.value[1] == "CONTAINS" ? null : fields.value[1]
      array_config = fields.value[1] == "CONTAINS" ? "CONTAINS" : null
    }
  }
  depends_on = [google_firestore_database.this]
}

# Grant records expire GRANT_RETENTION_DAYS after their end, by deleteAt.
resource "google_firestore_field" "grants_delete_at_ttl" {
  project    = var.project_id
  database   = var.firestore_database
  collection = local.grants
  field      = "deleteAt"
  ttl_config {}
  index_config {}
  depends_on = [google_firestore_database.this]
}

resource "google_firestore_index" "requests" {
  for_each   = local.firestore_indexes
  project    = var.project_id
  database   = var.firestore_database
  collection = local.collection
  dynamic "fields" {
    for_each = each.value
    content {
      field_path   = fields.value[0]
      order        = fields.value[1] == "CONTAINS" ? null : fields.value[1]
      array_config = fields.value[1] == "CONTAINS" ? "CONTAINS" : null
    }
  }
  depends_on = [google_firestore_database.this]
}

# TTL on deleteAt, and no single-field index on it (as firestore.indexes.json).
resource "google_firestore_field" "delete_at_ttl" {
  project    = var.project_id
  database   = var.firestore_database
  collection = local.collection
  field      = "deleteAt"
  ttl_config {}
  index_config {}
  depends_on = [google_firestore_database.this]
}

# ---- the functions --------------------------------------------------------------

# IAP's service agent, which invokes the services on the users' behalf.
resource "google_project_service_identity" "iap" {
  provider = google-beta
  project  = var.project_id
  service  = "iap.googleapis.com"
}

resource "google_cloud_run_v2_service" "fn" {
  for_each            = local.functions
  provider            = google-beta
  project             = var.project_id
  name                = each.value.service
  location            = var.region
  deletion_protection = false
  # single: IAP on the service itself (a beta feature), Google-managed OAuth.
  launch_stage = local.lb || !each.value.iap ? null : "BETA"
  iap_enabled  = !local.lb && each.value.iap
  ingress      = local.lb && each.value.iap ? "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" : "INGRESS_TRAFFIC_ALL"

  template {
    service_account = google_service_account.fn[each.key].email
    containers {
      image = lookup(var.images, each.key, var.image)
      # More CPU while an instance starts: the first request after a scale
      # from zero waits less (docs/deploy.md, "Cold starts"), as deploy.sh's
      # --cpu-boost.
      resources {
        startup_cpu_boost = true
      }
      # The health checks (functions/health/routes.ts), as deploy.sh sets them,
      # but for one difference: in lb the backend service that pins the IAP
      # audience (rule 3) is created after the service, so its startup waits
      # for /health/alive, not /health/ready. Liveness restarts an instance
      # that stops answering.
      startup_probe {
        timeout_seconds   = 3
        period_seconds    = 5
        failure_threshold = 24
        http_get {
          path = local.lb ? "/health/alive" : "/health/ready"
        }
      }
      liveness_probe {
        timeout_seconds   = 3
        period_seconds    = 30
        failure_threshold = 3
        http_get {
          path = "/health/alive"
        }
      }
      dynamic "env" {
        for_each = local.env[each.key]
        content {
          name  = env.key
          value = env.value
        }
      }
    }
  }

  depends_on = [google_project_service.apis, google_firestore_database.this]
}

resource "google_cloud_run_v2_service_iam_member" "iap_invoker" {
  for_each = local.served
  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.fn[each.key].name
  role     = "roles/run.invoker"
  member   = google_project_service_identity.iap.member
}

# single: who may pass IAP.
resource "google_iap_web_cloud_run_service_iam_member" "members" {
  for_each               = local.lb ? toset([]) : toset(var.iap_members)
  project                = var.project_id
  location               = var.region
  cloud_run_service_name = google_cloud_run_v2_service.fn["app"].name
  role                   = "roles/iap.httpsResourceAccessor"
  member                 = each.value
}

# ---- Google Chat (docs/chat.md) -------------------------------------------------

# Chat calls the app's endpoint without any Google Cloud identity of ours, so
# Cloud Run admits every caller (as deploy.sh's --allow-unauthenticated); the
# function refuses any call without Chat's token for CHAT_AUDIENCE.
resource "google_cloud_run_v2_service_iam_member" "chat_public" {
  for_each = local.chat_on ? toset(["chat"]) : toset([])
  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.fn["chat"].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# ---- reconciliation of the grant ledger (docs/grants.md) ------------------------

# Cloud Scheduler calls the reconcile service as this account, with an OIDC
# token whose audience is the service URL; Cloud Run admits no one else.
resource "google_service_account" "scheduler" {
  count        = local.scheduled ? 1 : 0
  project      = var.project_id
  account_id   = "jit-access-scheduler"
  display_name = "JIT Access (scheduler)"
  depends_on   = [google_project_service.apis]
}

resource "google_cloud_run_v2_service_iam_member" "reconcile_invoker" {
  count    = local.scheduled ? 1 : 0
  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.fn["reconcile"].name
  role     = "roles/run.invoker"
  member   = google_service_account.scheduler[0].member
}

resource "google_cloud_scheduler_job" "reconcile" {
  count            = local.scheduled ? 1 : 0
  project          = var.project_id
  region           = var.region
  name             = "jit-access-reconcile"
  schedule         = var.reconcile_schedule
  time_zone        = "Etc/UTC"
  attempt_deadline = "300s"

  http_target {
    uri         = "${google_cloud_run_v2_service.fn["reconcile"].uri}/reconcile"
    http_method = "POST"
    body        = base64encode("{}")
    # The API's POST rules: JSON, and the header no cross-site form can send.
    headers = {
      "Content-Type" = "application/json"
      "X-JIT-Access" = "1"
    }
    oidc_token {
      service_account_email = google_service_account.scheduler[0].email
      audience              = google_cloud_run_v2_service.fn["reconcile"].uri
    }
  }

  depends_on = [google_cloud_run_v2_service_iam_member.reconcile_invoker]
}

# ---- programmatic access (docs/cli.md) ----------------------------------------

# IAP accepts ID tokens whose audience is one of these OAuth clients, on each
# service behind it (single: the Cloud Run service; lb: each backend service).
# The names are IAP's, as `gcloud iap settings set --resource-type=cloud-run
# --region=R --service=S` (or `compute --service=S`) builds them:
# projects/P/iap_web/cloud_run-R/services/S and projects/P/iap_web/compute/services/S.
resource "google_iap_settings" "programmatic" {
  for_each = length(var.iap_programmatic_clients) == 0 ? {} : local.served
  name = (local.lb
    ? "projects/${data.google_project.this.number}/iap_web/compute/services/${each.value.service}"
    : "projects/${data.google_project.this.number}/iap_web/cloud_run-${var.region}/services/${each.value.service}"
  )
  access_settings {
    oauth_settings {
      programmatic_clients = var.iap_programmatic_clients
    }
  }
  depends_on = [google_cloud_run_v2_service.fn]
}
