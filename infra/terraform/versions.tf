# Providers pinned to a minor range; state lives in a GCS bucket made once by hand (README, "Deploy
# to Google Cloud"): `terraform init -backend-config="bucket=<project>-tfstate"`.
terraform {
  required_version = ">= 1.6.0, < 2.0.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.14"
    }
    google-beta = {
      source  = "hashicorp/google-beta"
      version = "~> 6.14"
    }
  }

  backend "gcs" {
    prefix = "chatdesk/state"
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}

provider "google-beta" {
  project = var.project_id
  region  = var.region
}
