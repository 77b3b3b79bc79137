output "function_urls" {
  description = "HTTPS URL of every function (Hosting rewrites reach them by name)."
  value       = { for name, fn in google_cloudfunctions2_function.function : name => fn.url }
}

output "function_service_accounts" {
  description = "The service account each function runs as."
  value       = { for name, sa in google_service_account.function : name => sa.email }
}

output "pubsub_functions" {
  description = "Pub/Sub-triggered functions and their topics (the pipeline attaches dead-letter policies)."
  value       = { for name, spec in local.pubsub_functions : name => spec.topic }
}

output "buckets" {
  description = "Bucket names as deployed."
  value       = { for name, bucket in google_storage_bucket.bucket : name => bucket.url }
}

output "hosting_url" {
  description = "Default Firebase Hosting URL (a tenant's own domain is connected in the console)."
  value       = "https://${var.project_id}.web.app"
}

output "delivery" {
  description = "Dead-letter attempts and backoff the pipeline sets on each Eventarc subscription."
  value       = local.delivery
}
