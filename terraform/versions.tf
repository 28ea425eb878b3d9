terraform {
  required_version = ">= 1.5"
  required_providers {
    # 6.36 or later: google_iap_web_cloud_run_service_iam_member, and
    # iap_enabled on google_cloud_run_v2_service (google-beta).
    google = {
      source  = "hashicorp/google"
      version = ">= 6.36"
    }
    google-beta = {
      source  = "hashicorp/google-beta"
      version = ">= 6.36"
    }
  }
}
