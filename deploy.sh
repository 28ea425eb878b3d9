#!/usr/bin/env bash
# Deploys jit-access-functions to a Google Cloud project, from zero to a
# working URL, in one of two topologies (docs/deploy.md, docs/design.md §6):
#   single  one Cloud Run function (target `app`) with IAP enabled on it
#   lb      one function per target behind an external HTTPS load balancer
# Idempotent: every resource is described before it is created, so a second
# run updates and never duplicates. --dry-run prints the commands and runs none.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: ./deploy.sh --project=ID --region=REGION [options]

Deploys jit-access-functions behind Identity-Aware Proxy (IAP).

Required:
  --project=ID           Google Cloud project to deploy to
  --region=REGION        Cloud Run region, e.g. europe-west1

Options:
  --scope=SCOPE          RESOURCE_SCOPE: projects/ID, folders/ID or
                         organizations/ID (default: projects/<--project>)
  --topology=single|lb   single: one Cloud Run function with IAP (default)
                         lb: one function per target behind a load balancer
  --domain=DOMAIN        lb only (required): the domain of the managed certificate
  --dns-zone=ZONE        lb only: Cloud DNS zone in which to create the A record
                         (otherwise the record to create is printed)
  --iap-members=LIST     comma-separated principals given IAP access, e.g.
                         group:jit-users@example.com,domain:example.com
  --iap-programmatic-clients=LIST
                         comma-separated OAuth client IDs IAP accepts ID
                         tokens for (programmatic access: the jit command
                         line, pipelines; docs/cli.md)
  --env-file=FILE        the product's settings, KEY=VALUE per line
                         (see docs/configuration.md); deploy.sh adds
                         GOOGLE_CLOUD_PROJECT, PUBLIC_BASE_URL, NODE_ENV=production
                         and the IAP settings. Keep the SMTP password in Secret
                         Manager (SMTP_SECRET), not in SMTP_PASSWORD
  --firestore-location=L Firestore location when the database is created
                         (default: --region)
  --reconcile-schedule=CRON
                         how often Cloud Scheduler runs the grant ledger's
                         reconciliation (unix cron, UTC; default: every 10
                         minutes, '*/10 * * * *'); off: deploy no job
  --source=DIR           the source to deploy (default: this script's folder)
  --dry-run              print every gcloud command in order and run none
  --help                 show this text

Flags may be given as --flag=value or --flag value.
EOF
}

die() {
  echo "deploy.sh: error: $*" >&2
  exit 1
}
info() { echo "==> $*" >&2; }
note() { echo "    $*" >&2; }

PROJECT=""
REGION=""
SCOPE=""
TOPOLOGY="single"
DOMAIN=""
DNS_ZONE=""
IAP_MEMBERS=""
PROGRAMMATIC_CLIENTS=""
ENV_FILE=""
FIRESTORE_LOCATION=""
SOURCE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RECONCILE_SCHEDULE="*/10 * * * *"
DRY_RUN=false

while [ $# -gt 0 ]; do
  arg="$1"
  shift
  case "$arg" in
    --help | -h)
      usage
      exit 0
      ;;
    --dry-run)
      DRY_RUN=true
      continue
      ;;
    --*=*)
      name="${arg%%=*}"
      value="${arg#*=}"
      ;;
    --*)
      name="$arg"
      [ $# -gt 0 ] || die "$name needs a value (see --help)"
      value="$1"
      shift
      ;;
    *) die "unexpected argument: $arg (see --help)" ;;
  esac
  case "$name" in
    --project) PROJECT="$value" ;;
    --region) REGION="$value" ;;
    --scope) SCOPE="$value" ;;
    --topology) TOPOLOGY="$value" ;;
    --domain) DOMAIN="$value" ;;
    --dns-zone) DNS_ZONE="$value" ;;
    --iap-members) IAP_MEMBERS="$value" ;;
    --iap-programmatic-clients) PROGRAMMATIC_CLIENTS="$value" ;;
    --env-file) ENV_FILE="$value" ;;
    --firestore-location) FIRESTORE_LOCATION="$value" ;;
    --source) SOURCE_DIR="$value" ;;
    --reconcile-schedule) RECONCILE_SCHEDULE="$value" ;;
    *) die "unknown flag: $name (see --help)" ;;
  esac
done

# ---------------------------------------------------------------------------
# Arguments and settings: checked before any gcloud command runs.

[ -n "$PROJECT" ] || die "--project is required (see --help)"
[ -n "$REGION" ] || die "--region is required (see --help)"
[[ "$PROJECT" =~ ^[a-z][-a-z0-9.:]{4,61}[a-z0-9]$ ]] || die "--project: not a project ID: $PROJECT"
[[ "$REGION" =~ ^[a-z]+-[a-z]+[0-9]+$ ]] || die "--region: not a region: $REGION"
case "$TOPOLOGY" in
  single | lb) ;;
  *) die "--topology must be single or lb, not: $TOPOLOGY" ;;
esac
if [ "$TOPOLOGY" = lb ]; then
  [ -n "$DOMAIN" ] || die "--topology=lb needs --domain (the load balancer's certificate is issued for it)"
  [[ "$DOMAIN" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$ ]] || die "--domain: not a domain name: $DOMAIN"
else
  [ -z "$DOMAIN" ] || die "--domain applies to --topology=lb only"
  [ -z "$DNS_ZONE" ] || die "--dns-zone applies to --topology=lb only"
fi
[ -f "$SOURCE_DIR/package.json" ] || die "--source: no package.json in $SOURCE_DIR"
# Five cron fields (minute hour day month weekday), or off.
CRON_FIELD='[0-9A-Za-z*/,-]+'
[ "$RECONCILE_SCHEDULE" = off ] \
  || [[ "$RECONCILE_SCHEDULE" =~ ^$CRON_FIELD( $CRON_FIELD){4}$ ]] \
  || die "--reconcile-schedule must be five cron fields (e.g. '*/10 * * * *') or off, not: $RECONCILE_SCHEDULE"
FIRESTORE_LOCATION="${FIRESTORE_LOCATION:-$REGION}"

IFS=',' read -r -a CLIENTS <<<"$PROGRAMMATIC_CLIENTS"
for client in "${CLIENTS[@]}"; do
  [[ "$client" =~ ^[0-9]+-[a-z0-9]+\.apps\.googleusercontent\.com$ ]] \
    || die "--iap-programmatic-clients: '$client' is not an OAuth client ID (NUMBER-ID.apps.googleusercontent.com)"
done
IFS=',' read -r -a MEMBERS <<<"$IAP_MEMBERS"
for member in "${MEMBERS[@]}"; do
  [[ "$member" =~ ^(user|group|domain|serviceAccount):[^[:space:],]+$ ]] \
    || die "--iap-members: '$member' is not user:, group:, domain: or serviceAccount: followed by a name"
done

# The product's settings, KEY=VALUE per line (blank lines and # comments
# skipped, an optional `export ` and one pair of surrounding quotes removed).
declare -A SETTINGS=()
SETTING_KEYS=()
if [ -n "$ENV_FILE" ]; then
  [ -f "$ENV_FILE" ] || die "--env-file: no such file: $ENV_FILE"
  line_no=0
  while IFS= read -r line || [ -n "$line" ]; do
    line_no=$((line_no + 1))
    line="${line%$'\r'}"
    [[ "$line" =~ ^[[:space:]]*(#.*)?$ ]] && continue
    line="${line#export }"
    [[ "$line" =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || die "--env-file $ENV_FILE:$line_no: expected KEY=VALUE"
    key="${BASH_REMATCH[1]}"
    value="${BASH_REMATCH[2]}"
    if [[ "$value" =~ ^\"(.*)\"$ || "$value" =~ ^\'(.*)\'$ ]]; then
      value="${BASH_REMATCH[1]}"
    fi
    case "$key" in
      GOOGLE_CLOUD_PROJECT | K_SERVICE | K_REVISION | K_CONFIGURATION | PORT)
        die "--env-file: $key is set by deploy.sh or Cloud Run, remove it"
        ;;
      IAP_AUDIENCE | IAP_BACKEND_SERVICE_ID | IAP_BACKEND_SERVICE_NAME | IAP_BACKEND_SERVICE_REGION)
        die "--env-file: $key is set by deploy.sh for the chosen topology, remove it"
        ;;
      NODE_ENV)
        # Anything else would let the framework answer errors with stack traces.
        [ "$value" = production ] || die "--env-file: NODE_ENV=$value: deploy.sh sets NODE_ENV=production, remove it"
        ;;
    esac
    [ -n "${SETTINGS[$key]+set}" ] || SETTING_KEYS+=("$key")
    SETTINGS[$key]="$value"
  done <"$ENV_FILE"
fi
setting() {
  if [ -n "${SETTINGS[$1]+set}" ]; then printf '%s' "${SETTINGS[$1]}"; else printf '%s' "${2:-}"; fi
}

if [ -n "$SCOPE" ] && [ -n "$(setting RESOURCE_SCOPE)" ] && [ "$SCOPE" != "$(setting RESOURCE_SCOPE)" ]; then
  die "--scope ($SCOPE) and RESOURCE_SCOPE in --env-file ($(setting RESOURCE_SCOPE)) differ"
fi
SCOPE="${SCOPE:-$(setting RESOURCE_SCOPE "projects/$PROJECT")}"
[[ "$SCOPE" =~ ^(projects|folders|organizations)/[-a-z0-9.:]+$ ]] \
  || die "--scope must be projects/ID, folders/ID or organizations/ID, not: $SCOPE"
SETTINGS[RESOURCE_SCOPE]="$SCOPE"
[[ " ${SETTING_KEYS[*]} " == *" RESOURCE_SCOPE "* ]] || SETTING_KEYS+=(RESOURCE_SCOPE)

CATALOG="$(setting RESOURCE_CATALOG AssetInventory)"
case "$CATALOG" in
  AssetInventory | PolicyAnalyzer) ;;
  *) die "RESOURCE_CATALOG must be AssetInventory or PolicyAnalyzer, not: $CATALOG" ;;
esac
FIRESTORE_DATABASE="$(setting FIRESTORE_DATABASE '(default)')"
COLLECTION_GROUP="$(setting FIRESTORE_COLLECTION_PREFIX)requests"
GRANTS_GROUP="$(setting FIRESTORE_COLLECTION_PREFIX)grants"
SMTP_SECRET="$(setting SMTP_SECRET)"
# NOTIFICATION_TOPIC: a topic name in --project, or projects/P/topics/T.
TOPIC_PROJECT="" TOPIC_ID=""
if [ -n "$(setting NOTIFICATION_TOPIC)" ]; then
  topic="$(setting NOTIFICATION_TOPIC)"
  if [[ "$topic" =~ ^projects/([-a-z0-9.:]+)/topics/([A-Za-z][-A-Za-z0-9_.~+%]{2,254})$ ]]; then
    TOPIC_PROJECT="${BASH_REMATCH[1]}" TOPIC_ID="${BASH_REMATCH[2]}"
  elif [[ "$topic" =~ ^[A-Za-z][-A-Za-z0-9_.~+%]{2,254}$ ]]; then
    TOPIC_PROJECT="$PROJECT" TOPIC_ID="$topic"
  else
    die "NOTIFICATION_TOPIC must be a Pub/Sub topic name or projects/PROJECT/topics/TOPIC, not: $topic"
  fi
  [[ "$TOPIC_ID" == goog* ]] && die "NOTIFICATION_TOPIC: a topic name may not start with goog: $topic"
fi
if [ -n "$(setting SMTP_PASSWORD)" ]; then
  info "warning: SMTP_PASSWORD is a plain environment variable, readable by anyone who can view the service: store the password in Secret Manager and set SMTP_SECRET instead (docs/deploy.md)"
fi
# Google Chat (docs/chat.md): on when cards have somewhere to go.
CHAT_ON=false
if [ -n "$(setting CHAT_SPACE)" ] || [ "$(setting CHAT_DIRECT_MESSAGES)" = true ]; then
  CHAT_ON=true
fi
if [ -n "$(setting CHAT_SPACE)" ]; then
  [[ "$(setting CHAT_SPACE)" =~ ^spaces/[A-Za-z0-9_-]{1,128}$ ]] \
    || die "CHAT_SPACE must be a space name such as spaces/AAAAxxxxxxx, not: $(setting CHAT_SPACE)"
fi
if [ -n "$(setting CHAT_AUDIENCE)" ]; then
  [[ "$(setting CHAT_AUDIENCE)" =~ ^([0-9]{1,20}|https://[^[:space:]?#]+)$ ]] \
    || die "CHAT_AUDIENCE must be the project number or the chat service's https endpoint URL, not: $(setting CHAT_AUDIENCE)"
fi
[ -z "$(setting CHAT_PUBLIC_KEYS_URL)" ] \
  || die "--env-file: CHAT_PUBLIC_KEYS_URL is for local stand-ins only: remove it (Cloud Run refuses any but Google's)"
if [ "$(setting IAP_VERIFY_AUDIENCE)" = false ]; then
  info "warning: IAP_VERIFY_AUDIENCE=false is not needed: deploy.sh pins the audience (docs/deploy.md)"
fi

# ---------------------------------------------------------------------------
# Running gcloud.

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Prints a command as a shell could run it (single quotes only where needed).
print_command() {
  local out="" word
  for word in "$@"; do
    if [[ "$word" =~ ^[-A-Za-z0-9_./:=@,+%]+$ ]]; then
      out+="$word "
    else
      out+="'${word//\'/\'\\\'\'}' "
    fi
  done
  printf '%s\n' "${out% }"
}

# A command that changes something: printed, and run unless --dry-run.
change() {
  if $DRY_RUN; then
    print_command "$@"
    return 0
  fi
  print_command "$@" | sed 's/^/  + /' >&2
  "$@"
}

# A read that must succeed; prints its output. Under --dry-run it runs
# nothing and prints $DRY_VALUE, the placeholder the caller chose.
read_value() {
  if $DRY_RUN; then
    printf '%s\n' "${DRY_VALUE:-}"
    return 0
  fi
  local rc=0
  gcloud "$@" 2>"$WORK/stderr" || rc=$?
  if [ "$rc" -ne 0 ]; then
    cat "$WORK/stderr" >&2
    die "gcloud $(print_command "$@") failed"
  fi
}

# Describes a resource: succeeds when it exists, leaving its description
# (per --format) in DESCRIBED; fails when it does not; stops the script on any
# other error (a denied describe must never lead to a create). Never call it
# in $(...), where stopping would only end the subshell. Under --dry-run
# nothing exists.
DESCRIBED=""
describe() {
  DESCRIBED=""
  $DRY_RUN && return 1
  local rc=0
  gcloud "$@" >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
  if [ "$rc" -eq 0 ]; then
    DESCRIBED="$(cat "$WORK/stdout")"
    return 0
  fi
  if grep -qiE 'NOT_FOUND|was not found|not found|does not exist|cannot find|could not find|\b404\b' "$WORK/stderr"; then
    return 1
  fi
  cat "$WORK/stderr" >&2
  die "gcloud $(print_command "$@") failed"
}

# ---------------------------------------------------------------------------
# IAM grants: read each policy once, add only the bindings it lacks.

declare -A POLICY_CACHE=()

# policy_target KIND RESOURCE: sets POLICY_CMD and POLICY_ARGS for a resource kind.
policy_target() {
  local kind="$1" resource="$2"
  case "$kind" in
    projects) POLICY_CMD=(projects) POLICY_ARGS=("$resource") ;;
    folders) POLICY_CMD=(resource-manager folders) POLICY_ARGS=("$resource") ;;
    organizations) POLICY_CMD=(organizations) POLICY_ARGS=("$resource") ;;
    secret)
      POLICY_CMD=(secrets)
      POLICY_ARGS=("${resource##*/}" "--project=$(secret_project "$resource")")
      ;;
    run) POLICY_CMD=(run services) POLICY_ARGS=("$resource" "--region=$REGION" "--project=$PROJECT") ;;
    topic)
      POLICY_CMD=(pubsub topics)
      [[ "$resource" =~ ^projects/([^/]+)/topics/ ]] || die "internal: not a topic: $resource"
      POLICY_ARGS=("${resource##*/}" "--project=${BASH_REMATCH[1]}")
      ;;
    iap-run)
      POLICY_CMD=(beta iap web)
      POLICY_ARGS=(--resource-type=cloud-run "--service=$resource" "--region=$REGION" "--project=$PROJECT")
      ;;
    iap-backend)
      POLICY_CMD=(iap web)
      POLICY_ARGS=(--resource-type=backend-services "--service=$resource" "--project=$PROJECT")
      ;;
    *) die "internal: unknown policy kind $kind" ;;
  esac
}

# grant KIND RESOURCE MEMBER ROLE
grant() {
  local kind="$1" resource="$2" member="$3" role="$4" key="$1/$2"
  local -a POLICY_CMD POLICY_ARGS extra=()
  policy_target "$kind" "$resource"
  if ! $DRY_RUN && [ -z "${POLICY_CACHE[$key]+set}" ]; then
    POLICY_CACHE[$key]="$(read_value "${POLICY_CMD[@]}" get-iam-policy "${POLICY_ARGS[@]}" \
      '--flatten=bindings[].members' '--format=csv[no-heading](bindings.role,bindings.members)')"
  fi
  if ! $DRY_RUN && grep -qxF "$role,$member" <<<"${POLICY_CACHE[$key]}"; then
    note "$member already has $role on $resource"
    return 0
  fi
  # Projects, folders and organizations hold conditional bindings (every JIT
  # activation is one): without --condition=None gcloud would prompt.
  case "$kind" in projects | folders | organizations) extra=(--condition=None) ;; esac
  change gcloud "${POLICY_CMD[@]}" add-iam-policy-binding "${POLICY_ARGS[@]}" \
    "--member=$member" "--role=$role" "${extra[@]}" --format=none --quiet
  POLICY_CACHE[$key]+=$'\n'"$role,$member"
}

# The project holding SMTP_SECRET (projects/P/secrets/S[/versions/V], or a
# secret name in --project).
secret_project() {
  if [[ "$1" =~ ^projects/([^/]+)/secrets/ ]]; then printf '%s' "${BASH_REMATCH[1]}"; else printf '%s' "$PROJECT"; fi
}
secret_name() {
  if [[ "$1" =~ ^projects/[^/]+/secrets/([^/]+) ]]; then printf '%s' "${BASH_REMATCH[1]}"; else printf '%s' "$1"; fi
}

# ---------------------------------------------------------------------------
# Prerequisites: gcloud, an account, the project, billing, and the
# permissions the deployment needs (tested by reading the policies it will change).

info "Checking prerequisites"
if ! $DRY_RUN; then
  command -v gcloud >/dev/null 2>&1 \
    || die "gcloud not found: install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install) with its beta component"
  account="$(read_value auth list --filter=status:ACTIVE '--format=value(account)')"
  [ -n "$account" ] || die "gcloud has no active account: run 'gcloud auth login'"
  note "account: ${account%%$'\n'*}"
  describe projects describe "$PROJECT" '--format=value(projectNumber)' \
    || die "project $PROJECT not found, or ${account%%$'\n'*} may not see it"
  PROJECT_NUMBER="$DESCRIBED"
  gcloud beta run deploy --help >/dev/null 2>&1 \
    || die "the gcloud beta component is missing: run 'gcloud components install beta'"
  billing="$(read_value billing projects describe "$PROJECT" '--format=value(billingEnabled)')"
  [ "$billing" = True ] || die "billing is not enabled on project $PROJECT: link a billing account (gcloud billing projects link $PROJECT --billing-account=...)"
  # Reading the policies this script changes tests the permission to change
  # them as nearly as gcloud can (there is no testIamPermissions command).
  targets=("projects/$PROJECT")
  [ "$SCOPE" = "projects/$PROJECT" ] || targets+=("$SCOPE")
  for target in "${targets[@]}"; do
    case "${target%%/*}" in
      projects) cmd=(projects) admin=roles/resourcemanager.projectIamAdmin ;;
      folders) cmd=(resource-manager folders) admin=roles/resourcemanager.folderIamAdmin ;;
      organizations) cmd=(organizations) admin=roles/resourcemanager.organizationAdmin ;;
    esac
    if ! gcloud "${cmd[@]}" get-iam-policy "${target#*/}" --format=none 2>"$WORK/stderr"; then
      cat "$WORK/stderr" >&2
      die "cannot read the IAM policy of $target: the deploying account needs $admin (or roles/owner) there"
    fi
  done
else
  PROJECT_NUMBER="PROJECT_NUMBER"
fi

# ---------------------------------------------------------------------------
# APIs.

APIS=(run.googleapis.com cloudbuild.googleapis.com artifactregistry.googleapis.com
  iap.googleapis.com cloudasset.googleapis.com cloudresourcemanager.googleapis.com
  cloudidentity.googleapis.com admin.googleapis.com firestore.googleapis.com
  iam.googleapis.com)
[ "$TOPOLOGY" = lb ] && APIS+=(compute.googleapis.com)
[ -n "$DNS_ZONE" ] && APIS+=(dns.googleapis.com)
[ -n "$SMTP_SECRET" ] && APIS+=(secretmanager.googleapis.com)
[ -n "$TOPIC_ID" ] && APIS+=(pubsub.googleapis.com)
[ "$RECONCILE_SCHEDULE" = off ] || APIS+=(cloudscheduler.googleapis.com)
$CHAT_ON && APIS+=(chat.googleapis.com)
info "Enabling APIs"
change gcloud services enable "${APIS[@]}" "--project=$PROJECT" --quiet

# ---------------------------------------------------------------------------
# Service accounts, least privilege (docs/deploy.md lists every role and why).

if [ "$TOPOLOGY" = single ]; then
  SERVICES=(jit-access)
else
  SERVICES=(jit-access-roles jit-access-activate jit-access-approve jit-access-web)
fi
sa_email() { printf '%s@%s.iam.gserviceaccount.com' "$1" "$PROJECT"; }
target_of() {
  case "$1" in
    jit-access) printf app ;;
    *) printf '%s' "${1#jit-access-}" ;;
  esac
}

# Reconciliation (docs/grants.md) runs as its own service, in both
# topologies, with its own account; Cloud Scheduler calls it as another.
RECONCILE=jit-access-reconcile
SCHEDULER=jit-access-scheduler
ACCOUNTS=("${SERVICES[@]}" "$RECONCILE")
[ "$RECONCILE_SCHEDULE" = off ] || ACCOUNTS+=("$SCHEDULER")
# The Google Chat app's endpoint (docs/chat.md): its own service and account.
CHAT=jit-access-chat
OWN_SERVICES=("$RECONCILE")
$CHAT_ON && ACCOUNTS+=("$CHAT") && OWN_SERVICES+=("$CHAT")

info "Creating service accounts"
for service in "${ACCOUNTS[@]}"; do
  if describe iam service-accounts describe "$(sa_email "$service")" "--project=$PROJECT" '--format=value(email)'; then
    note "service account $(sa_email "$service") exists"
  else
    change gcloud iam service-accounts create "$service" \
      "--display-name=JIT Access ($(target_of "$service"))" "--project=$PROJECT" --quiet
  fi
done

# Roles on the scope: reading eligibility (the catalog) and, for activate
# and approve only, writing IAM policies.
CATALOG_ROLES=(roles/cloudasset.viewer)
[ "$CATALOG" = PolicyAnalyzer ] && CATALOG_ROLES+=(roles/iam.securityReviewer)
[ -n "$(setting AVAILABLE_PROJECTS_QUERY)" ] && CATALOG_ROLES+=(roles/browser)

# The topic of NOTIFICATION_TOPIC: created in --project when missing; a
# topic in another project must exist (its owners create it).
if [ -n "$TOPIC_ID" ]; then
  info "Pub/Sub topic projects/$TOPIC_PROJECT/topics/$TOPIC_ID"
  if describe pubsub topics describe "$TOPIC_ID" "--project=$TOPIC_PROJECT" '--format=value(name)'; then
    note "topic $TOPIC_ID exists"
  elif [ "$TOPIC_PROJECT" = "$PROJECT" ]; then
    change gcloud pubsub topics create "$TOPIC_ID" "--project=$PROJECT" --quiet
  elif $DRY_RUN; then
    note "topic $TOPIC_ID must exist in project $TOPIC_PROJECT (not created here)"
  else
    die "NOTIFICATION_TOPIC: topic $TOPIC_ID not found in project $TOPIC_PROJECT: create it there (gcloud pubsub topics create $TOPIC_ID --project=$TOPIC_PROJECT), or name a topic in $PROJECT"
  fi
fi

info "Granting roles (catalog: $CATALOG, scope: $SCOPE)"
for service in "${SERVICES[@]}" "${OWN_SERVICES[@]}"; do
  member="serviceAccount:$(sa_email "$service")"
  target="$(target_of "$service")"
  roles=()
  case "$target" in
    # chat decides on requests as approve does: the same rights, no more.
    app | activate | approve | chat) roles=("${CATALOG_ROLES[@]}" roles/resourcemanager.projectIamAdmin) ;;
    reconcile) roles=(roles/resourcemanager.projectIamAdmin) ;;
    roles) roles=("${CATALOG_ROLES[@]}") ;;
    web) roles=() ;;
  esac
  for role in "${roles[@]}"; do
    grant "${SCOPE%%/*}" "${SCOPE#*/}" "$member" "$role"
  done
  case "$target" in
    app | activate | approve | chat | reconcile) grant projects "$PROJECT" "$member" roles/datastore.user ;;
    roles) grant projects "$PROJECT" "$member" roles/datastore.viewer ;;
  esac
  # The functions that decide on requests and grants publish the events;
  # reconcile publishes ActivationExternallyModified.
  if [ -n "$TOPIC_ID" ]; then
    case "$target" in
      app | activate | approve | chat | reconcile)
        grant topic "projects/$TOPIC_PROJECT/topics/$TOPIC_ID" "$member" roles/pubsub.publisher
        ;;
    esac
  fi
  if [ -n "$SMTP_SECRET" ]; then
    case "$target" in
      app | activate | approve | chat)
        grant secret "projects/$(secret_project "$SMTP_SECRET")/secrets/$(secret_name "$SMTP_SECRET")" \
          "$member" roles/secretmanager.secretAccessor
        ;;
    esac
  fi
done

# ---------------------------------------------------------------------------
# Groups Reader (Workspace / Cloud Identity admin role, outside Google Cloud):
# assigned through the Admin SDK when the caller's application-default
# credentials carry the role-management scope and the caller is an admin;
# otherwise the one step to take is printed.

ADMIN_API="https://admin.googleapis.com/admin/directory/v1/customer/my_customer"
ADMIN_SCOPE="https://www.googleapis.com/auth/admin.directory.rolemanagement"

admin_call() { # METHOD PATH [BODY]: prints the body, returns non-zero unless HTTP 2xx
  local status
  local -a data=()
  [ $# -lt 3 ] || data=(--data "$3")
  status="$(curl -sS -o "$WORK/admin.json" -w '%{http_code}' -X "$1" \
    -H "Authorization: Bearer $ADMIN_TOKEN" -H "x-goog-user-project: $PROJECT" \
    -H 'Content-Type: application/json' "${data[@]}" "$ADMIN_API/$2")" || return 1
  cat "$WORK/admin.json"
  [[ "$status" == 2* ]]
}

# chat re-checks eligibility on every click: it reads groups too.
CHAT_READER=()
$CHAT_ON && CHAT_READER=("$CHAT")

groups_reader_step() {
  local service email unique_id role_id="" body
  local -a missing=()
  GROUPS_READER_OK=true
  if $DRY_RUN; then
    for service in "${SERVICES[@]}" "${CHAT_READER[@]}"; do
      [ "$service" = jit-access-web ] && continue
      echo "# Groups Reader for $(sa_email "$service"): assigned through the Admin SDK when you may, otherwise printed"
    done
    return 0
  fi
  ADMIN_TOKEN="$(gcloud auth application-default print-access-token 2>/dev/null)" || ADMIN_TOKEN=""
  if [ -n "$ADMIN_TOKEN" ] && body="$(admin_call GET 'roles?maxResults=100')"; then
    role_id="$(tr -d '\n' <<<"$body" | tr '{' '\n' | grep '"_GROUPS_READER_ROLE"' | grep -oE '"roleId": *"[0-9]+"' | grep -oE '[0-9]+' | head -n 1 || true)"
  fi
  for service in "${SERVICES[@]}" "${CHAT_READER[@]}"; do
    [ "$service" = jit-access-web ] && continue
    email="$(sa_email "$service")"
    if [ -z "$role_id" ]; then
      missing+=("$email")
      continue
    fi
    unique_id="$(read_value iam service-accounts describe "$email" "--project=$PROJECT" '--format=value(uniqueId)')"
    if body="$(admin_call GET "roleassignments?roleId=$role_id&userKey=$unique_id")" && grep -q "\"$unique_id\"" <<<"$body"; then
      note "$email has Groups Reader"
    elif admin_call POST roleassignments "{\"roleId\":\"$role_id\",\"assignedTo\":\"$unique_id\",\"scopeType\":\"CUSTOMER\"}" >/dev/null; then
      note "assigned Groups Reader to $email"
    else
      missing+=("$email")
    fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    GROUPS_READER_OK=false
    cat >&2 <<EOF

    ACTION NEEDED (outside Google Cloud): deploy.sh could not assign or check
    the Groups Reader admin role. In the Google Admin console
    (https://admin.google.com > Account > Admin roles > Groups Reader >
    Admins > Assign service accounts), add:
$(printf '        %s\n' "${missing[@]}")
    Then re-run deploy.sh to check it, after
        gcloud auth application-default login --scopes=$ADMIN_SCOPE,https://www.googleapis.com/auth/cloud-platform
    Until then, eligibility granted to groups is not seen.

EOF
  fi
}
info "Groups Reader"
groups_reader_step

# ---------------------------------------------------------------------------
# Firestore: the database, the composite indexes the queries need, the TTL policy.

info "Firestore database $FIRESTORE_DATABASE"
if describe firestore databases describe "--database=$FIRESTORE_DATABASE" "--project=$PROJECT" '--format=value(name)'; then
  note "database $FIRESTORE_DATABASE exists"
else
  change gcloud firestore databases create "--database=$FIRESTORE_DATABASE" \
    "--location=$FIRESTORE_LOCATION" --type=firestore-native "--project=$PROJECT" --quiet
fi

# Each index: its collection (requests or grants), then its fields in order,
# as FIELD:ORDER or FIELD:contains (the same definitions as
# firestore.indexes.json; a test checks that they agree).
INDEXES=(
  "requests requester:ascending state:ascending createdAt:descending"
  "requests reviewers:contains state:ascending createdAt:descending"
  "requests requester:ascending createdAt:descending"
  "requests reviewers:contains createdAt:descending"
)
for lead in user:ascending approvers:contains ""; do
  for rest in "" "project:ascending" "state:ascending" "project:ascending state:ascending"; do
    fields="$lead${lead:+${rest:+ }}$rest"
    [ -n "$fields" ] && INDEXES+=("grants $fields sortKey:descending")
  done
done
existing_indexes=""
if ! $DRY_RUN; then
  existing_indexes="$(read_value firestore indexes composite list "--database=$FIRESTORE_DATABASE" "--project=$PROJECT" \
    '--format=value(name.segment(-3),fields[].fieldPath.join(","))')"
fi
for index in "${INDEXES[@]}"; do
  read -r -a fields <<<"$index"
  group="$(setting FIRESTORE_COLLECTION_PREFIX)${fields[0]}"
  fields=("${fields[@]:1}")
  paths=""
  configs=()
  for field in "${fields[@]}"; do
    paths+="${paths:+,}${field%%:*}"
    if [ "${field#*:}" = contains ]; then
      configs+=("--field-config=field-path=${field%%:*},array-config=contains")
    else
      configs+=("--field-config=field-path=${field%%:*},order=${field#*:}")
    fi
  done
  if grep -qE "^$group"$'\t'"$paths(,__name__)?\$" <<<"$existing_indexes"; then
    note "index on $group($paths) exists"
  else
    change gcloud firestore indexes composite create "--collection-group=$group" \
      "--database=$FIRESTORE_DATABASE" --query-scope=collection "${configs[@]}" "--project=$PROJECT" --async --quiet
  fi
done

ttl_fields=""
if ! $DRY_RUN; then
  ttl_fields="$(read_value firestore fields ttls list "--database=$FIRESTORE_DATABASE" "--project=$PROJECT" '--format=value(name)')"
fi
# Requests and grant records (GRANT_RETENTION_DAYS) alike expire by deleteAt.
for group in "$COLLECTION_GROUP" "$GRANTS_GROUP"; do
  if grep -qE "/collectionGroups/$group/fields/deleteAt\$" <<<"$ttl_fields"; then
    note "TTL policy on $group.deleteAt exists"
  else
    change gcloud firestore fields ttls update deleteAt "--collection-group=$group" \
      "--database=$FIRESTORE_DATABASE" --enable-ttl "--project=$PROJECT" --async --quiet
  fi

  # deleteAt only drives the TTL: exempt it from single-field indexing (as
  # firestore.indexes.json does), which also avoids write hotspots on it.
  uses_default_indexes=True
  if ! $DRY_RUN; then
    uses_default_indexes="$(read_value firestore indexes fields describe deleteAt "--collection-group=$group" \
      "--database=$FIRESTORE_DATABASE" "--project=$PROJECT" '--format=value(indexConfig.usesAncestorConfig)')"
  fi
  if [ "$uses_default_indexes" = False ]; then
    note "$group.deleteAt is exempt from single-field indexes"
  else
    change gcloud firestore indexes fields update deleteAt "--collection-group=$group" \
      "--database=$FIRESTORE_DATABASE" --disable-indexes "--project=$PROJECT" --async --quiet
  fi
done

# ---------------------------------------------------------------------------
# The IAP service agent, which invokes the functions on the users' behalf.

info "IAP service agent"
change gcloud beta services identity create --service=iap.googleapis.com "--project=$PROJECT" --quiet
IAP_AGENT="serviceAccount:service-$PROJECT_NUMBER@gcp-sa-iap.iam.gserviceaccount.com"

# Writes the functions' settings as YAML for --env-vars-file (a value with a
# comma would break --set-env-vars). $1: the file; the rest: KEY=VALUE extras.
write_env_file() {
  local file="$1" key value
  shift
  : >"$file"
  for key in "${SETTING_KEYS[@]}"; do
    yaml_pair "$key" "${SETTINGS[$key]}" >>"$file"
  done
  for pair in "GOOGLE_CLOUD_PROJECT=$PROJECT" "NODE_ENV=production" "$@"; do
    key="${pair%%=*}"
    value="${pair#*=}"
    [ -n "${SETTINGS[$key]+set}" ] && continue
    yaml_pair "$key" "$value" >>"$file"
  done
}
yaml_pair() { printf "%s: '%s'\n" "$1" "${2//\'/\'\'}"; }

# Cloud Run's probes on the health checks (functions/health/routes.ts): an
# instance gets traffic once /health/ready answers (IAP audience resolvable,
# Firestore answering; both topologies deploy a service once its audience can
# be resolved), and is restarted when /health/alive stops answering.
PROBES=(
  "--startup-probe=httpGet.path=/health/ready,timeoutSeconds=3,periodSeconds=5,failureThreshold=24"
  "--liveness-probe=httpGet.path=/health/alive,timeoutSeconds=3,periodSeconds=30,failureThreshold=3"
)

# Startup CPU boost: more CPU while an instance starts, so that the first
# request after a scale from zero waits less (docs/deploy.md, "Cold starts").
deploy_function() { # SERVICE ENV_FILE [extra flags]
  local service="$1" env_file="$2"
  shift 2
  if $DRY_RUN; then
    echo "# $env_file (written by deploy.sh) holds:"
    sed -e "s/^SMTP_PASSWORD: .*/SMTP_PASSWORD: '****'/" -e 's/^/#   /' "$env_file"
  fi
  # Only the Chat app's endpoint admits unauthenticated calls (it checks
  # Chat's token itself); every other service needs roles/run.invoker.
  local invokers=--no-allow-unauthenticated
  [ "$service" = "$CHAT" ] && invokers=--allow-unauthenticated
  change gcloud beta run deploy "$service" "--source=$SOURCE_DIR" "--function=$(target_of "$service")" \
    --base-image=nodejs22 "$invokers" "--region=$REGION" \
    "--service-account=$(sa_email "$service")" "--env-vars-file=$env_file" "${PROBES[@]}" --cpu-boost "$@" "--project=$PROJECT" --quiet
}

# Programmatic access (docs/cli.md): IAP accepts ID tokens whose audience is
# one of these OAuth clients. $@: the IAP resource's flags.
set_programmatic_clients() {
  [ "${#CLIENTS[@]}" -gt 0 ] || return 0
  local file="$WORK/iap-settings.yaml"
  {
    echo "accessSettings:"
    echo "  oauthSettings:"
    echo "    programmaticClients:"
    for client in "${CLIENTS[@]}"; do echo "    - $client"; done
  } >"$file"
  change gcloud beta iap settings set "$file" "$@" "--project=$PROJECT" --quiet
}

# The command line's settings, printed at the end.
print_cli() {
  [ "${#CLIENTS[@]}" -gt 0 ] || return 0
  echo "Command line (docs/cli.md): jit --url $1 --audience ${CLIENTS[0]} …"
}

# ---------------------------------------------------------------------------
# Reconciliation of the grant ledger (docs/grants.md): its own service, no
# IAP and no load balancer. It refuses unauthenticated calls: Cloud Run's IAM
# check admits only the scheduler's account (roles/run.invoker on this
# service alone), whose OIDC token carries the service URL as audience.

deploy_reconcile() {
  info "Deploying $RECONCILE (target reconcile) from $SOURCE_DIR"
  # PUBLIC_BASE_URL: the app's, for the links of the events it publishes.
  write_env_file "$WORK/$RECONCILE.env.yaml" "PUBLIC_BASE_URL=$URL" "PROJECT_NUMBER=$PROJECT_NUMBER"
  deploy_function "$RECONCILE" "$WORK/$RECONCILE.env.yaml"
  if [ "$RECONCILE_SCHEDULE" = off ]; then
    note "--reconcile-schedule=off: no job; auditors run reconciliation from My access"
  else
    DRY_VALUE="https://$RECONCILE-$PROJECT_NUMBER.$REGION.run.app" RECONCILE_URL="$(read_value run services describe "$RECONCILE" \
      "--region=$REGION" "--project=$PROJECT" '--format=value(status.url)')"
    grant run "$RECONCILE" "serviceAccount:$(sa_email "$SCHEDULER")" roles/run.invoker
    JOB=jit-access-reconcile
    JOB_FLAGS=("--location=$REGION" "--schedule=$RECONCILE_SCHEDULE" --time-zone=Etc/UTC
      "--uri=$RECONCILE_URL/reconcile" --http-method=POST "--message-body={}"
      "--oidc-service-account-email=$(sa_email "$SCHEDULER")" "--oidc-token-audience=$RECONCILE_URL"
      --attempt-deadline=300s "--project=$PROJECT" --quiet)
    # The API's POST rules: JSON, and the header no cross-site form can send.
    HEADERS="Content-Type=application/json,X-JIT-Access=1"
    info "Cloud Scheduler job $JOB ($RECONCILE_SCHEDULE, UTC)"
    if describe scheduler jobs describe "$JOB" "--location=$REGION" "--project=$PROJECT" '--format=value(name)'; then
      change gcloud scheduler jobs update http "$JOB" "${JOB_FLAGS[@]}" "--update-headers=$HEADERS"
    else
      change gcloud scheduler jobs create http "$JOB" "${JOB_FLAGS[@]}" "--headers=$HEADERS"
    fi
  fi
}

# ---------------------------------------------------------------------------
# Google Chat (docs/chat.md): the Chat app's HTTP endpoint. Chat calls it,
# not a signed-in browser, so it sits behind no IAP and admits
# unauthenticated calls: the function verifies Chat's token on every call,
# its audience pinned to the project number (CHAT_AUDIENCE), known before
# the service exists. The other services post the cards as the Chat app.

deploy_chat() {
  $CHAT_ON || return 0
  info "Deploying $CHAT (target chat) from $SOURCE_DIR"
  # PUBLIC_BASE_URL: the app's, for the cards' Open button.
  write_env_file "$WORK/$CHAT.env.yaml" "PUBLIC_BASE_URL=$URL" "PROJECT_NUMBER=$PROJECT_NUMBER" \
    "CHAT_AUDIENCE=$PROJECT_NUMBER"
  deploy_function "$CHAT" "$WORK/$CHAT.env.yaml"
  DRY_VALUE="https://$CHAT-$PROJECT_NUMBER.$REGION.run.app" CHAT_URL="$(read_value run services describe "$CHAT" \
    "--region=$REGION" "--project=$PROJECT" '--format=value(status.url)')"
}

# What the administrator enters in the Chat API's configuration.
print_chat() {
  $CHAT_ON || return 0
  local audience
  audience="$(setting CHAT_AUDIENCE "$PROJECT_NUMBER")"
  echo "Google Chat (docs/chat.md): in https://console.cloud.google.com/apis/api/chat.googleapis.com/hangouts-chat?project=$PROJECT"
  echo "  HTTP endpoint URL: $CHAT_URL/chat"
  if [[ "$audience" =~ ^[0-9]+$ ]]; then
    echo "  Authentication Audience: Project Number ($audience)"
  else
    echo "  Authentication Audience: HTTP endpoint URL ($audience)"
  fi
}

# ---------------------------------------------------------------------------
# single: one function with IAP on it; audience rule 4 needs no setting.

if [ "$TOPOLOGY" = single ]; then
  # The deterministic URL, known before the service exists.
  URL="$(setting PUBLIC_BASE_URL "https://jit-access-$PROJECT_NUMBER.$REGION.run.app")"
  info "Deploying jit-access (target app) from $SOURCE_DIR"
  write_env_file "$WORK/jit-access.env.yaml" "PUBLIC_BASE_URL=$URL" "PROJECT_NUMBER=$PROJECT_NUMBER"
  deploy_function jit-access "$WORK/jit-access.env.yaml" --iap
  set_programmatic_clients --resource-type=cloud-run "--region=$REGION" --service=jit-access
  deploy_reconcile
  deploy_chat
  info "Access"
  grant run jit-access "$IAP_AGENT" roles/run.invoker
  for member in "${MEMBERS[@]}"; do
    grant iap-run jit-access "$member" roles/iap.httpsResourceAccessor
  done
  DRY_VALUE="$URL" URL="$(read_value run services describe jit-access "--region=$REGION" "--project=$PROJECT" '--format=value(status.url)')"
  echo
  echo "Open: $URL"
  print_cli "$URL"
  print_chat
  [ "${#MEMBERS[@]}" -gt 0 ] || echo "(no --iap-members given: grant roles/iap.httpsResourceAccessor to your users)"
  ${GROUPS_READER_OK:-true} || echo "(Groups Reader still to assign: see ACTION NEEDED above)"
  exit 0
fi

# ---------------------------------------------------------------------------
# lb: backend services first, so each function is deployed knowing its
# backend service's ID (audience rule 2); nothing refers to an ID that does
# not exist yet.

URL="https://$DOMAIN"
LB=jit-access
declare -A BACKEND_ID=()
info "Backend services"
for service in "${SERVICES[@]}"; do
  if describe compute backend-services describe "$service" --global "--project=$PROJECT" '--format=value(id)'; then
    id="$DESCRIBED"
    note "backend service $service exists"
  else
    change gcloud compute backend-services create "$service" --global \
      --load-balancing-scheme=EXTERNAL_MANAGED "--project=$PROJECT" --quiet
    DRY_VALUE="ID_OF_$service" id="$(read_value compute backend-services describe "$service" --global "--project=$PROJECT" '--format=value(id)')"
  fi
  [[ "$id" =~ ^[0-9]+$ ]] || $DRY_RUN || die "backend service $service has no numeric ID: $id"
  BACKEND_ID[$service]="$id"
  iap_state=""
  $DRY_RUN || iap_state="$(read_value compute backend-services describe "$service" --global "--project=$PROJECT" '--format=value(iap.enabled)')"
  if [ "$iap_state" = True ]; then
    note "IAP enabled on $service"
  else
    # No OAuth client given: IAP uses Google's managed client.
    change gcloud compute backend-services update "$service" --global --iap=enabled "--project=$PROJECT" --quiet
  fi
  set_programmatic_clients --resource-type=backend-services "--service=$service"
done

info "Deploying functions from $SOURCE_DIR"
for service in "${SERVICES[@]}"; do
  write_env_file "$WORK/$service.env.yaml" "PUBLIC_BASE_URL=$URL" "PROJECT_NUMBER=$PROJECT_NUMBER" \
    "IAP_BACKEND_SERVICE_ID=${BACKEND_ID[$service]}"
  deploy_function "$service" "$WORK/$service.env.yaml" --ingress=internal-and-cloud-load-balancing
  grant run "$service" "$IAP_AGENT" roles/run.invoker
done

info "Serverless network endpoint groups"
for service in "${SERVICES[@]}"; do
  if describe compute network-endpoint-groups describe "$service" "--region=$REGION" "--project=$PROJECT" '--format=value(name)'; then
    note "network endpoint group $service exists"
  else
    change gcloud compute network-endpoint-groups create "$service" "--region=$REGION" \
      --network-endpoint-type=serverless "--cloud-run-service=$service" "--project=$PROJECT" --quiet
  fi
  backends=""
  $DRY_RUN || backends="$(read_value compute backend-services describe "$service" --global "--project=$PROJECT" '--format=value(backends[].group.join(" "))')"
  if [[ " $backends" == *"/regions/$REGION/networkEndpointGroups/$service"* ]]; then
    note "$service is attached to its backend service"
  else
    change gcloud compute backend-services add-backend "$service" --global "--network-endpoint-group=$service" \
      "--network-endpoint-group-region=$REGION" "--project=$PROJECT" --quiet
  fi
done

# The URL map: route rules send each path of docs/design.md §2 to its function
# (pathTemplateMatch: /api/projects/{project}/roles and .../roles/self-activate
# go to different functions). Imported on every run: import creates or updates.
info "URL map"
bs() { printf 'projects/%s/global/backendServices/%s' "$PROJECT" "$1"; }
cat >"$WORK/url-map.yaml" <<EOF
name: $LB
defaultService: $(bs jit-access-web)
hostRules:
- hosts: ['*']
  pathMatcher: jit-access
pathMatchers:
- name: jit-access
  defaultService: $(bs jit-access-web)
  routeRules:
  - priority: 1
    matchRules:
    - fullPathMatch: /api/policy
    - fullPathMatch: /api/projects
    - pathTemplateMatch: /api/projects/{project}/roles
    - pathTemplateMatch: /api/projects/{project}/peers
    service: $(bs jit-access-roles)
  - priority: 2
    matchRules:
    - pathTemplateMatch: /api/projects/{project}/roles/self-activate
    - pathTemplateMatch: /api/projects/{project}/roles/request
    - fullPathMatch: /api/grants
    - pathTemplateMatch: /api/grants/{id}
    - pathTemplateMatch: /api/grants/{id}/revoke
    - fullPathMatch: /api/reconcile
    service: $(bs jit-access-activate)
  - priority: 3
    matchRules:
    - fullPathMatch: /api/requests
    - pathTemplateMatch: /api/requests/{id}
    - pathTemplateMatch: /api/requests/{id}/{action}
    service: $(bs jit-access-approve)
EOF
change gcloud compute url-maps import "$LB" "--source=$WORK/url-map.yaml" --global "--project=$PROJECT" --quiet

info "Address, certificate, proxy, forwarding rule"
if describe compute addresses describe "$LB" --global "--project=$PROJECT" '--format=value(address)'; then
  ip="$DESCRIBED"
  note "address $LB exists: $ip"
else
  change gcloud compute addresses create "$LB" --global --ip-version=IPV4 "--project=$PROJECT" --quiet
  DRY_VALUE="IP_ADDRESS" ip="$(read_value compute addresses describe "$LB" --global "--project=$PROJECT" '--format=value(address)')"
fi
if describe compute ssl-certificates describe "$LB" --global "--project=$PROJECT" '--format=value(name)'; then
  note "certificate $LB exists"
else
  change gcloud compute ssl-certificates create "$LB" "--domains=$DOMAIN" --global "--project=$PROJECT" --quiet
fi
if describe compute target-https-proxies describe "$LB" --global "--project=$PROJECT" '--format=value(name)'; then
  note "HTTPS proxy $LB exists"
else
  change gcloud compute target-https-proxies create "$LB" "--url-map=$LB" "--ssl-certificates=$LB" --global "--project=$PROJECT" --quiet
fi
if describe compute forwarding-rules describe "$LB" --global "--project=$PROJECT" '--format=value(name)'; then
  note "forwarding rule $LB exists"
else
  change gcloud compute forwarding-rules create "$LB" --global --load-balancing-scheme=EXTERNAL_MANAGED \
    "--address=$LB" "--target-https-proxy=$LB" --ports=443 "--project=$PROJECT" --quiet
fi

DNS_NOTE=""
if [ -n "$DNS_ZONE" ]; then
  if describe dns record-sets describe "$DOMAIN." --type=A "--zone=$DNS_ZONE" "--project=$PROJECT" '--format=value(rrdatas)'; then
    note "DNS A record for $DOMAIN exists"
  else
    change gcloud dns record-sets create "$DOMAIN." --type=A --ttl=300 "--rrdatas=$ip" "--zone=$DNS_ZONE" "--project=$PROJECT" --quiet
  fi
else
  DNS_NOTE="Create this DNS record: $DOMAIN. 300 IN A $ip"
fi

deploy_reconcile
deploy_chat

info "Access"
for service in "${SERVICES[@]}"; do
  for member in "${MEMBERS[@]}"; do
    grant iap-backend "$service" "$member" roles/iap.httpsResourceAccessor
  done
done

DRY_VALUE="PROVISIONING" cert_status="$(read_value compute ssl-certificates describe "$LB" --global "--project=$PROJECT" '--format=value(managed.status)')"
echo
[ -z "$DNS_NOTE" ] || echo "$DNS_NOTE"
echo "Certificate status: $cert_status$([ "$cert_status" = ACTIVE ] || echo ' (a managed certificate becomes ACTIVE some minutes after the A record resolves)')"
echo "Open: $URL"
print_cli "$URL"
print_chat
[ "${#MEMBERS[@]}" -gt 0 ] || echo "(no --iap-members given: grant roles/iap.httpsResourceAccessor to your users)"
${GROUPS_READER_OK:-true} || echo "(Groups Reader still to assign: see ACTION NEEDED above)"
