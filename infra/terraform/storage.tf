# Buckets from resources.yaml: uniform access, public access prevented, versioned, access-logged;
# backups get lifecycle and a retention policy, uploads CORS for the configured origins.
locals {
  bucket_settings = { for name in local.resources.buckets : name => lookup(local.resources.bucket_settings, name, {}) }
}

resource "google_storage_bucket" "access_logs" {
  #checkov:skip=CKV_GCP_62:This is the access-log sink itself; logging it into itself would loop
  name                        = "${var.project_id}-access-logs"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  versioning {
    enabled = true
  }
  lifecycle_rule {
    condition {
      age = 90
    }
    action {
      type = "Delete"
    }
  }
}

resource "google_storage_bucket" "bucket" {
  for_each                    = local.bucket_settings
  name                        = local.rename[each.key]
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  versioning {
    enabled = true
  }

  logging {
    log_bucket = google_storage_bucket.access_logs.name
  }

  dynamic "retention_policy" {
    for_each = lookup(each.value, "retention_days", null) == null ? [] : [lookup(each.value, "retention_days", null)]
    content {
      retention_period = retention_policy.value * 86400
    }
  }

  dynamic "lifecycle_rule" {
    for_each = lookup(each.value, "nearline_after_days", null) == null ? [] : [lookup(each.value, "nearline_after_days", null)]
    content {
      condition {
        age = lifecycle_rule.value
      }
      action {
        type          = "SetStorageClass"
        storage_class = "NEARLINE"
      }
    }
  }

  dynamic "lifecycle_rule" {
    for_each = lookup(each.value, "delete_after_days", null) == null ? [] : [lookup(each.value, "delete_after_days", null)]
    content {
      condition {
        age = lifecycle_rule.value
      }
      action {
        type = "Delete"
      }
    }
  }

  # Old versions left by overwrites go after a week.
  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 7
    }
    action {
      type = "Delete"
    }
  }

  dynamic "cors" {
    for_each = lookup(each.value, "cors", false) ? [1] : []
    content {
      origin          = var.allowed_upload_origins
      method          = ["GET", "PUT", "POST"]
      # Also the headers a widget's signed PUT carries (size range, create-only), so the preflight allows them.
      response_header = ["Content-Type", "Content-MD5", "x-goog-resumable", "x-goog-content-length-range", "x-goog-if-generation-match"]
      max_age_seconds = 3600
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_storage_bucket_iam_member" "function" {
  for_each = local.bucket_grants
  bucket   = google_storage_bucket.bucket[each.value.bucket].name
  role     = each.value.role
  member   = "serviceAccount:${google_service_account.function[each.value.function].email}"
}

# Function sources: one zip per function, named by content so a change redeploys it.
resource "google_storage_bucket" "sources" {
  name                        = "${var.project_id}-function-sources"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  versioning {
    enabled = true
  }
  logging {
    log_bucket = google_storage_bucket.access_logs.name
  }
  lifecycle_rule {
    condition {
      age = 30
    }
    action {
      type = "Delete"
    }
  }
}

resource "google_storage_bucket_object" "bundle" {
  for_each = local.functions
  name     = "${each.key}-${filemd5("${path.module}/${var.bundle_dir}/${each.key}.zip")}.zip"
  bucket   = google_storage_bucket.sources.name
  source   = "${path.module}/${var.bundle_dir}/${each.key}.zip"
}
