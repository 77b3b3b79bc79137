# Everything below is generated from infra/resources.yaml: a function, topic, bucket, secret or
# schedule added there is deployed with no edit here.
locals {
  resources = yamldecode(file("${path.module}/../resources.yaml"))

  # Names in resources.yaml use the demo project id; a deployment uses its own.
  demo_project = local.resources.project
  rename       = { for name in local.resources.buckets : name => replace(name, local.demo_project, var.project_id) }

  defaults  = local.resources.function_defaults
  functions = { for name, spec in local.resources.functions : name => merge(local.defaults, spec) }
  http_functions   = { for name, spec in local.functions : name => spec if spec.trigger == "http" }
  pubsub_functions = { for name, spec in local.functions : name => spec if spec.trigger == "pubsub" }

  topics   = toset(local.resources.topics)
  secrets  = local.resources.secrets
  schedules = try(local.resources.schedules, {})
  access   = local.resources.access
  delivery = local.resources.delivery

  # (function, role) pairs for project-level roles.
  function_roles = merge([
    for name, spec in local.functions : { for role in spec.roles : "${name}/${role}" => { function = name, role = role } }
  ]...)
  # (function, secret) pairs for secret access.
  function_secrets = merge([
    for name, spec in local.functions : { for secret in spec.secrets : "${name}/${secret}" => { function = name, secret = secret } }
  ]...)
  # Access lists may name functions that are not deployed (yet): only deployed ones get a binding.
  topic_roles  = { publish = "roles/pubsub.publisher", view = "roles/pubsub.viewer" }
  bucket_roles = { write = "roles/storage.objectUser", read = "roles/storage.objectViewer", check = "roles/storage.legacyBucketReader" }
  topic_grants = merge(flatten([
    for topic, verbs in local.access.topics : [
      for verb, names in verbs : { for fn in names : "${topic}/${verb}/${fn}" => { topic = topic, role = local.topic_roles[verb], function = fn } if contains(keys(local.functions), fn) }
    ]
  ])...)
  bucket_grants = merge(flatten([
    for bucket, verbs in local.access.buckets : [
      for verb, names in verbs : { for fn in names : "${bucket}/${verb}/${fn}" => { bucket = bucket, role = local.bucket_roles[verb], function = fn } if contains(keys(local.functions), fn) }
    ]
  ])...)

  common_env = {
    CHATDESK_ENV         = "production"
    CHATDESK_REGION       = var.region
    GOOGLE_CLOUD_PROJECT  = var.project_id
    LOG_LEVEL             = var.log_level
    BACKUP_BUCKET        = local.rename["${local.demo_project}-backups"]
  }
}

data "google_project" "this" {
  project_id = var.project_id
}
