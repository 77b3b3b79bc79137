# Cloud Scheduler jobs from resources.yaml `schedules:`; each publishes its JSON `data` to a topic.
resource "google_cloud_scheduler_job" "job" {
  for_each         = local.schedules
  name             = each.key
  region           = var.region
  schedule         = each.value.cron
  time_zone        = each.value.timezone
  attempt_deadline = "320s"

  retry_config {
    retry_count          = 3
    min_backoff_duration = "60s"
  }

  pubsub_target {
    topic_name = google_pubsub_topic.topic[each.value.topic].id
    data       = base64encode(jsonencode(lookup(each.value, "data", {})))
  }

  depends_on = [google_project_service.apis]
}
