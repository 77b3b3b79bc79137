# One service account per function, holding only what that function needs: project roles from
# resources.yaml (`roles`), and resource-level grants on topics, buckets and secrets (pubsub.tf,
# storage.tf, secrets.tf). Nobody gets an owner/editor role.
resource "google_service_account" "function" {
  for_each     = local.functions
  account_id   = "fn-${each.key}"
  display_name = "Chatdesk ${each.key} function"
}

resource "google_project_iam_member" "function_role" {
  for_each = local.function_roles
  project  = var.project_id
  role     = each.value.role
  member   = "serviceAccount:${google_service_account.function[each.value.function].email}"
}

# Functions that mint Firebase custom tokens sign them with their own key (IAM signBlob).
resource "google_service_account_iam_member" "sign_own_tokens" {
  for_each           = { for name, spec in local.functions : name => spec if lookup(spec, "signs_tokens", false) }
  service_account_id = google_service_account.function[each.key].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_service_account.function[each.key].email}"
}

# Eventarc invokes Pub/Sub-triggered functions as this account; the Scheduler publishes as another.
resource "google_service_account" "eventarc" {
  account_id   = "chatdesk-eventarc"
  display_name = "Chatdesk Eventarc trigger invoker"
}

resource "google_service_account" "scheduler" {
  account_id   = "chatdesk-scheduler"
  display_name = "Chatdesk Cloud Scheduler publisher"
}
