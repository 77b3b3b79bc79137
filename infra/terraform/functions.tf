# Every function in resources.yaml as a 2nd gen Cloud Function: HTTP, or an Eventarc Pub/Sub
# trigger that retries (a raised error is redelivered; the topic's dead-letter policy bounds it).
resource "google_cloudfunctions2_function" "function" {
  #checkov:skip=CKV_GCP_124:HTTP functions are reached by Firebase Hosting rewrites from the internet; Pub/Sub ones are internal-only (below)
  for_each    = local.functions
  name        = each.key
  location    = var.region
  description = "Chatdesk ${each.key} (${each.value.trigger})"

  build_config {
    runtime     = "python311"
    entry_point = each.value.entry_point
    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.bundle[each.key].name
      }
    }
  }

  service_config {
    available_memory                 = each.value.memory
    available_cpu                    = each.value.cpu
    max_instance_request_concurrency = each.value.concurrency
    min_instance_count               = each.value.min_instances
    max_instance_count               = each.value.max_instances
    timeout_seconds                  = each.value.timeout_seconds
    service_account_email            = google_service_account.function[each.key].email
    ingress_settings                 = each.value.trigger == "http" ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision   = true
    environment_variables            = local.common_env

    dynamic "secret_environment_variables" {
      for_each = each.value.secrets
      content {
        key        = local.secrets[secret_environment_variables.value].env
        project_id = var.project_id
        secret     = google_secret_manager_secret.secret[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  dynamic "event_trigger" {
    for_each = each.value.trigger == "pubsub" ? [lookup(each.value, "topic", "")] : []
    content {
      trigger_region        = var.region
      event_type            = "google.cloud.pubsub.topic.v1.messagePublished"
      pubsub_topic          = google_pubsub_topic.topic[event_trigger.value].id
      retry_policy          = "RETRY_POLICY_RETRY"
      service_account_email = google_service_account.eventarc.email
    }
  }

  depends_on = [
    google_project_service.apis,
    google_secret_manager_secret_iam_member.accessor,
  ]
}

# HTTP functions sit behind Firebase Hosting rewrites, which call them without credentials;
# each function authenticates its callers itself (API keys, Firebase ID tokens, tenant origins).
resource "google_cloud_run_service_iam_member" "public" {
  #checkov:skip=CKV_GCP_102:Hosting rewrites call these without credentials; every route authenticates in the app (tenant origin, API key or Firebase ID token)
  for_each = { for name, spec in local.http_functions : name => spec if spec.public }
  location = var.region
  service  = google_cloudfunctions2_function.function[each.key].service_config[0].service
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_service_iam_member" "eventarc_invoker" {
  for_each = local.pubsub_functions
  location = var.region
  service  = google_cloudfunctions2_function.function[each.key].service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.eventarc.email}"
}

resource "google_project_iam_member" "eventarc_receiver" {
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = "serviceAccount:${google_service_account.eventarc.email}"
}
