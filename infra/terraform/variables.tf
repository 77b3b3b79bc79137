variable "project_id" {
  description = "Google Cloud project that hosts one Chatdesk deployment (every tenant)."
  type        = string
}

variable "region" {
  description = "Region of the functions, Firestore, buckets and the Scheduler job."
  type        = string
  default     = "europe-central2"
}

variable "bundle_dir" {
  description = "Folder with one <function>.zip per function, built by `python -m tools.stage`."
  type        = string
  default     = "../../dist/functions"
}

variable "allowed_upload_origins" {
  description = "Web origins that may upload to the uploads bucket from a browser (CORS)."
  type        = list(string)
  default     = []
}

variable "alert_email" {
  description = "Where alert policies send notifications; empty means alerts only show in the console."
  type        = string
  default     = ""
}

variable "log_level" {
  description = "LOG_LEVEL of every function."
  type        = string
  default     = "INFO"
}
