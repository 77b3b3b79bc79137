# The (default) Firestore database in native mode, its composite indexes (from the same
# firestore.indexes.json the Firebase CLI and the local tools read) and TTL policies.
locals {
  index_file = jsondecode(file("${path.module}/../../firestore.indexes.json"))
  indexes    = { for index in local.index_file.indexes : join("-", concat([index.collectionGroup], [for f in index.fields : "${f.fieldPath}:${lookup(f, "order", lookup(f, "arrayConfig", ""))}"])) => index }
  ttl        = local.resources.ttl
}

resource "google_firestore_database" "default" {
  project                           = var.project_id
  name                              = "(default)"
  location_id                       = var.region
  type                              = "FIRESTORE_NATIVE"
  concurrency_mode                  = "OPTIMISTIC"
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"
  delete_protection_state           = "DELETE_PROTECTION_ENABLED"
  deletion_policy                   = "ABANDON"
  depends_on                        = [google_project_service.apis]
}

resource "google_firestore_index" "composite" {
  for_each    = local.indexes
  project     = var.project_id
  database    = google_firestore_database.default.name
  collection  = each.value.collectionGroup
  query_scope = lookup(each.value, "queryScope", "COLLECTION")

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path   = fields.value.fieldPath
      order        = lookup(fields.value, "order", null)
      array_config = lookup(fields.value, "arrayConfig", null)
    }
  }
}

# A document whose `expire_at` (a timestamp) has passed is deleted by Firestore, usually within
# 24 hours; documents without the field are kept. Writers set it (see README, "Data retention").
resource "google_firestore_field" "ttl" {
  for_each   = toset(local.ttl.collection_groups)
  project    = var.project_id
  database   = google_firestore_database.default.name
  collection = each.value
  field      = local.ttl.field

  ttl_config {}

  # A TTL field needs no single-field index: skipping it saves write cost.
  index_config {}
}
