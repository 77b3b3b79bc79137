# Log-based metrics and alert policies: 5xx rate, model fallbacks, dead-lettered events, and a
# nightly backup that has not completed for more than 26 hours.
resource "google_monitoring_notification_channel" "email" {
  count        = var.alert_email == "" ? 0 : 1
  display_name = "Chatdesk on-call"
  type         = "email"
  labels = {
    email_address = var.alert_email
  }
}

locals {
  channels = google_monitoring_notification_channel.email[*].id
}

# Every request a function answers (Cloud Run's request log and our own line carry httpRequest).
resource "google_logging_metric" "requests" {
  name   = "chatdesk/requests"
  filter = "resource.type=\"cloud_run_revision\" AND log_id(\"run.googleapis.com/requests\") AND httpRequest.status>=100"
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    labels {
      key        = "function"
      value_type = "STRING"
    }
  }
  label_extractors = { function = "EXTRACT(resource.labels.service_name)" }
}

resource "google_logging_metric" "server_errors" {
  name   = "chatdesk/server_errors"
  filter = "resource.type=\"cloud_run_revision\" AND log_id(\"run.googleapis.com/requests\") AND httpRequest.status>=500"
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    labels {
      key        = "function"
      value_type = "STRING"
    }
  }
  label_extractors = { function = "EXTRACT(resource.labels.service_name)" }
}

# The Gemini adapter logs `event: model.generate_failed` (with a reason) for every failed model call;
# a turn whose calls all fail answers with the safe fallback reply.
resource "google_logging_metric" "model_fallbacks" {
  name   = "chatdesk/model_fallbacks"
  filter = "resource.type=\"cloud_run_revision\" AND jsonPayload.event=\"model.generate_failed\""
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    labels {
      key        = "reason"
      value_type = "STRING"
    }
  }
  label_extractors = { reason = "EXTRACT(jsonPayload.reason)" }
}

# The backup function logs `event: backup.completed` after writing a manifest.
resource "google_logging_metric" "backups_completed" {
  name   = "chatdesk/backups_completed"
  filter = "resource.type=\"cloud_run_revision\" AND jsonPayload.event=\"backup.completed\""
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
  }
}

resource "google_monitoring_alert_policy" "server_error_rate" {
  display_name          = "Chatdesk: more than 5% of requests fail with 5xx"
  combiner              = "OR"
  notification_channels = local.channels
  conditions {
    display_name = "5xx ratio over 5 minutes"
    condition_threshold {
      filter                  = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.server_errors.name}\" AND resource.type=\"cloud_run_revision\""
      denominator_filter      = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.requests.name}\" AND resource.type=\"cloud_run_revision\""
      comparison              = "COMPARISON_GT"
      threshold_value         = 0.05
      duration                = "300s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.function"]
      }
      denominator_aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.function"]
      }
    }
  }
  documentation {
    content   = "Functions answer 5xx. Open Error Reporting (grouped by place) and the trace of a failing request."
    mime_type = "text/markdown"
  }
}

resource "google_monitoring_alert_policy" "model_fallbacks" {
  display_name          = "Chatdesk: the model keeps falling back"
  combiner              = "OR"
  notification_channels = local.channels
  conditions {
    display_name = "more than 20 fallbacks in 10 minutes"
    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.model_fallbacks.name}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = 20
      duration        = "0s"
      aggregations {
        alignment_period     = "600s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }
  documentation {
    content   = "Gemini times out, blocks or returns malformed output; guests get the safe reply offering a human. Check the `reason` label and the Gemini quota."
    mime_type = "text/markdown"
  }
}

resource "google_monitoring_alert_policy" "dead_lettered" {
  display_name          = "Chatdesk: events were dead-lettered"
  combiner              = "OR"
  notification_channels = local.channels
  conditions {
    display_name = "a message reached a dead-letter topic"
    condition_threshold {
      filter          = "metric.type=\"pubsub.googleapis.com/topic/send_message_operation_count\" AND resource.type=\"pubsub_topic\" AND resource.label.topic_id=monitoring.regex.full_match(\".*-dead-letter\")"
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.label.topic_id"]
      }
    }
  }
  documentation {
    content   = "An event failed every delivery attempt. Inspect `<topic>-dead-letter-hold`, fix, and republish to the topic."
    mime_type = "text/markdown"
  }
}

# Absence over 26 h: longer than a metric-absence condition allows, so PromQL's absent_over_time.
resource "google_monitoring_alert_policy" "backup_missing" {
  display_name          = "Chatdesk: no completed backup for 26 hours"
  combiner              = "OR"
  notification_channels = local.channels
  conditions {
    display_name = "backup.completed absent for 26h"
    condition_prometheus_query_language {
      query               = "absent_over_time(logging_googleapis_com:user_chatdesk_backups_completed[26h])"
      duration            = "0s"
      evaluation_interval = "300s"
    }
  }
  documentation {
    content   = "The nightly backup (Cloud Scheduler `nightly-backup` → `backup-requests` → backup) did not complete. Check the Scheduler job, the backup function's errors and the backups bucket."
    mime_type = "text/markdown"
  }
  depends_on = [google_logging_metric.backups_completed]
}
