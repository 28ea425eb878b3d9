output "url" {
  description = "The URL to open."
  value       = local.public_base_url
}

output "dns_record" {
  description = "lb without dns_zone: the A record to create for the managed certificate."
  value       = local.lb ? "${var.domain}. 300 IN A ${google_compute_global_address.lb[0].address}" : null
}

output "service_accounts" {
  description = "Each function's service account."
  value       = { for k, sa in google_service_account.fn : k => sa.email }
}

output "groups_reader_service_accounts" {
  description = "The service accounts to assign the Groups Reader admin role in the Google Admin console (docs/deploy.md)."
  value       = [for k, f in local.functions : google_service_account.fn[k].email if f.groups]
}

output "cli_audience" {
  description = "The audience for the jit command line's ID tokens (jit --audience), when iap_programmatic_clients is set (docs/cli.md)."
  value       = length(var.iap_programmatic_clients) == 0 ? null : var.iap_programmatic_clients[0]
}

output "chat_endpoint_url" {
  description = "With CHAT_SPACE or CHAT_DIRECT_MESSAGES: the HTTP endpoint URL to enter in the Chat API's configuration (docs/chat.md)."
  value       = local.chat_on ? "${google_cloud_run_v2_service.fn["chat"].uri}/chat" : null
}

output "chat_audience" {
  description = "With CHAT_SPACE or CHAT_DIRECT_MESSAGES: the Authentication Audience to choose in the Chat API's configuration (a project number: Project Number; a URL: HTTP endpoint URL)."
  value       = local.chat_on ? local.env["chat"]["CHAT_AUDIENCE"] : null
}
