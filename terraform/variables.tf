variable "project_id" {
  description = "The project to deploy to."
  type        = string
}

variable "region" {
  description = "The Cloud Run region, e.g. europe-west1."
  type        = string
}

variable "topology" {
  description = "single: one Cloud Run service (target app) with IAP on it; lb: one service per function behind an external HTTPS load balancer."
  type        = string
  default     = "single"
  validation {
    condition     = contains(["single", "lb"], var.topology)
    error_message = "topology must be single or lb."
  }
}

variable "resource_scope" {
  description = "RESOURCE_SCOPE: projects/ID, folders/ID or organizations/ID. Default: projects/<project_id>."
  type        = string
  default     = ""
  validation {
    condition     = var.resource_scope == "" || can(regex("^(projects|folders|organizations)/[-a-z0-9.:]+$", var.resource_scope))
    error_message = "resource_scope must be projects/ID, folders/ID or organizations/ID."
  }
}

variable "resource_catalog" {
  description = "RESOURCE_CATALOG: AssetInventory (default, no Policy Analyzer quota) or PolicyAnalyzer (JIT Access 1.x's default)."
  type        = string
  default     = "AssetInventory"
  validation {
    condition     = contains(["AssetInventory", "PolicyAnalyzer"], var.resource_catalog)
    error_message = "resource_catalog must be AssetInventory or PolicyAnalyzer."
  }
}

variable "settings" {
  description = "The product's other settings, with JIT Access 1.x names (docs/configuration.md), e.g. { ACTIVATION_TIMEOUT = \"60\", JUSTIFICATION_PATTERN = \"...\", SMTP_SECRET = \"smtp-password\" }. The module sets the project, scope, catalog, Firestore and IAP settings and NODE_ENV=production itself. Keep the SMTP password in Secret Manager (SMTP_SECRET): SMTP_PASSWORD is readable by anyone who can view the services, and is kept in the Terraform state."
  type        = map(string)
  default     = {}
  validation {
    condition = length(setintersection(keys(var.settings), [
      "GOOGLE_CLOUD_PROJECT", "RESOURCE_SCOPE", "RESOURCE_CATALOG", "PROJECT_NUMBER", "FIRESTORE_DATABASE",
      "FIRESTORE_COLLECTION_PREFIX", "IAP_AUDIENCE", "IAP_BACKEND_SERVICE_ID", "IAP_BACKEND_SERVICE_NAME",
      "IAP_BACKEND_SERVICE_REGION", "FUNCTION_TARGET",
    ])) == 0
    error_message = "settings must not set what the module sets: use the module's variables instead."
  }
  validation {
    # Anything else would let the framework answer errors with stack traces.
    condition     = lookup(var.settings, "NODE_ENV", "production") == "production"
    error_message = "settings: the module sets NODE_ENV=production; remove NODE_ENV."
  }
  validation {
    condition     = can(regex("^(spaces/[A-Za-z0-9_-]{1,128})?$", lookup(var.settings, "CHAT_SPACE", "")))
    error_message = "settings: CHAT_SPACE must be a Chat space name such as spaces/AAAAxxxxxxx."
  }
  validation {
    condition     = can(regex("^([0-9]{1,20}|https://[^[:space:]?#]+)?$", lookup(var.settings, "CHAT_AUDIENCE", "")))
    error_message = "settings: CHAT_AUDIENCE must be the project number, or the chat service's https endpoint URL."
  }
  validation {
    # Cloud Run refuses any key URL but Google's (docs/chat.md).
    condition     = !contains(keys(var.settings), "CHAT_PUBLIC_KEYS_URL")
    error_message = "settings: CHAT_PUBLIC_KEYS_URL is for local stand-ins only; remove it."
  }
}

variable "iap_members" {
  description = "Principals given access through IAP (roles/iap.httpsResourceAccessor), e.g. [\"group:jit-users@example.com\"]."
  type        = list(string)
  default     = []
  validation {
    # deploy.sh's rule for --iap-members: allUsers and allAuthenticatedUsers
    # (anyone, or anyone with a Google account) are not principals of a type.
    condition     = alltrue([for m in var.iap_members : can(regex("^(user|group|domain|serviceAccount):[^[:space:],]+$", m))])
    error_message = "iap_members must each be user:, group:, domain: or serviceAccount: followed by a name (not allUsers or allAuthenticatedUsers)."
  }
}

variable "domain" {
  description = "lb only: the domain of the managed certificate; the app is served at https://<domain>."
  type        = string
  default     = ""
}

variable "dns_zone" {
  description = "lb only, optional: a Cloud DNS managed zone in project_id in which to create the A record for domain."
  type        = string
  default     = ""
}

variable "image" {
  description = "The container image of the package, built from source with Google Cloud's buildpacks (docs/deploy.md). Every service runs it with FUNCTION_TARGET set to its function."
  type        = string
}

variable "images" {
  description = "Optional, per function (app, roles, activate, approve, web): an image to use instead of image."
  type        = map(string)
  default     = {}
}

variable "firestore_database" {
  description = "FIRESTORE_DATABASE."
  type        = string
  default     = "(default)"
}

variable "firestore_collection_prefix" {
  description = "FIRESTORE_COLLECTION_PREFIX."
  type        = string
  default     = ""
}

variable "firestore_location" {
  description = "The Firestore database's location when the module creates it. Default: region."
  type        = string
  default     = ""
}

variable "create_firestore_database" {
  description = "Create the Firestore database (false when it exists already)."
  type        = bool
  default     = true
}

variable "create_notification_topic" {
  description = "Create the Pub/Sub topic of settings.NOTIFICATION_TOPIC when it lives in project_id (false when it exists already). A topic in another project is never created."
  type        = bool
  default     = true
}

variable "reconcile_schedule" {
  description = "How often Cloud Scheduler runs the grant ledger's reconciliation: five unix cron fields, UTC (default every 10 minutes), or off for no job (docs/grants.md)."
  type        = string
  default     = "*/10 * * * *"
  validation {
    condition     = var.reconcile_schedule == "off" || can(regex("^[0-9A-Za-z*/,-]+( [0-9A-Za-z*/,-]+){4}$", var.reconcile_schedule))
    error_message = "reconcile_schedule must be five cron fields (e.g. \"*/10 * * * *\") or off."
  }
}

variable "iap_programmatic_clients" {
  description = "OAuth client IDs whose ID tokens IAP accepts (programmatic access: the jit command line, pipelines; docs/cli.md)."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for c in var.iap_programmatic_clients : can(regex("^[0-9]+-[a-z0-9]+\\.apps\\.googleusercontent\\.com$", c))])
    error_message = "iap_programmatic_clients must be OAuth client IDs (NUMBER-ID.apps.googleusercontent.com), as deploy.sh --iap-programmatic-clients takes them."
  }
}
