# Warnings: plan and apply go on, but say what should change.

check "smtp_password_in_secret_manager" {
  assert {
    condition     = !contains(keys(var.settings), "SMTP_PASSWORD")
    error_message = "settings.SMTP_PASSWORD becomes a plain environment variable, readable by anyone who can view the services (and it is kept in the Terraform state): store the password in Secret Manager and set SMTP_SECRET instead."
  }
}
