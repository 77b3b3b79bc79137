# Topics from resources.yaml, each with a dead-letter topic ("<topic>-dead-letter") and a
# subscription that keeps dead-lettered messages for inspection and replay.
resource "google_pubsub_topic" "topic" {
  #checkov:skip=CKV_GCP_83:Google-managed encryption; messages are transient ids and event payloads without secrets, a CMEK key would add cost and a key-loss failure mode
  for_each                   = local.topics
  name                       = each.value
  message_retention_duration = "86400s"
  depends_on                 = [google_project_service.apis]
}

resource "google_pubsub_topic" "dead_letter" {
  #checkov:skip=CKV_GCP_83:Google-managed encryption; messages are transient ids and event payloads without secrets, a CMEK key would add cost and a key-loss failure mode
  for_each                   = local.topics
  name                       = "${each.value}-dead-letter"
  message_retention_duration = local.delivery.dead_letter_retention
  depends_on                 = [google_project_service.apis]
}

resource "google_pubsub_subscription" "dead_letter_hold" {
  for_each                   = local.topics
  name                       = "${each.value}-dead-letter-hold"
  topic                      = google_pubsub_topic.dead_letter[each.key].id
  message_retention_duration = local.delivery.dead_letter_retention
  retain_acked_messages      = false
  ack_deadline_seconds       = 60
  expiration_policy {
    ttl = ""
  }
}

# Pub/Sub's own service agent forwards undeliverable messages: it publishes to the dead-letter
# topic and acknowledges on the source subscription (which Eventarc creates for each trigger,
# so the subscriber role is granted per topic's subscriptions at project level by the pipeline
# step that attaches the dead-letter policy; see cloudbuild.yaml "dead-letter").
locals {
  pubsub_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  for_each = local.topics
  topic    = google_pubsub_topic.dead_letter[each.key].name
  role     = "roles/pubsub.publisher"
  member   = local.pubsub_agent
}

resource "google_pubsub_topic_iam_member" "function" {
  for_each = local.topic_grants
  topic    = google_pubsub_topic.topic[each.value.topic].name
  role     = each.value.role
  member   = "serviceAccount:${google_service_account.function[each.value.function].email}"
}
