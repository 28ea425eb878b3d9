# lb topology: serverless NEGs -> backend services (IAP on) -> URL map ->
# HTTPS proxy -> forwarding rule. Every arrow points away from the Cloud Run
# services, which know their backend service only by name.

resource "google_compute_region_network_endpoint_group" "fn" {
  for_each              = local.lb ? local.served : {}
  project               = var.project_id
  name                  = each.value.service
  region                = var.region
  network_endpoint_type = "SERVERLESS"
  cloud_run {
    service = google_cloud_run_v2_service.fn[each.key].name
  }
}

resource "google_compute_backend_service" "fn" {
  for_each              = local.lb ? local.served : {}
  project               = var.project_id
  name                  = each.value.service # = IAP_BACKEND_SERVICE_NAME of the service
  load_balancing_scheme = "EXTERNAL_MANAGED"
  protocol              = "HTTPS"
  backend {
    group = google_compute_region_network_endpoint_group.fn[each.key].id
  }
  # No OAuth client: IAP uses Google's managed client.
  iap {
    enabled = true
  }
}

resource "google_iap_web_backend_service_iam_member" "members" {
  for_each = local.lb ? {
    for pair in setproduct(keys(local.served), var.iap_members) : "${pair[0]} ${pair[1]}" => { function = pair[0], member = pair[1] }
  } : {}
  project             = var.project_id
  web_backend_service = google_compute_backend_service.fn[each.value.function].name
  role                = "roles/iap.httpsResourceAccessor"
  member              = each.value.member
}

# Each path of docs/design.md §2 to its function; pathTemplateMatch because
# /api/projects/{project}/roles and .../roles/self-activate go to different ones.
resource "google_compute_url_map" "lb" {
  count           = local.lb ? 1 : 0
  project         = var.project_id
  name            = "jit-access"
  default_service = google_compute_backend_service.fn["web"].id

  host_rule {
    hosts        = ["*"]
    path_matcher = "jit-access"
  }

  path_matcher {
    name            = "jit-access"
    default_service = google_compute_backend_service.fn["web"].id

    route_rules {
      priority = 1
      service  = google_compute_backend_service.fn["roles"].id
      match_rules {
        full_path_match = "/api/policy"
      }
      match_rules {
        full_path_match = "/api/projects"
      }
      match_rules {
        path_template_match = "/api/projects/{project}/roles"
      }
      match_rules {
        path_template_match = "/api/projects/{project}/peers"
      }
    }
    route_rules {
      priority = 2
      service  = google_compute_backend_service.fn["activate"].id
      match_rules {
        path_template_match = "/api/projects/{project}/roles/self-activate"
      }
      match_rules {
        path_template_match = "/api/projects/{project}/roles/request"
      }
      # The grant ledger (docs/grants.md): served by activate, which writes IAM.
      match_rules {
        full_path_match = "/api/grants"
      }
      match_rules {
        path_template_match = "/api/grants/{id}"
      }
      match_rules {
        path_template_match = "/api/grants/{id}/revoke"
      }
      match_rules {
        full_path_match = "/api/reconcile"
      }
    }
    route_rules {
      priority = 3
      service  = google_compute_backend_service.fn["approve"].id
      match_rules {
        full_path_match = "/api/requests"
      }
      match_rules {
        path_template_match = "/api/requests/{id}"
      }
      match_rules {
        path_template_match = "/api/requests/{id}/{action}"
      }
    }
  }
}

resource "google_compute_global_address" "lb" {
  count   = local.lb ? 1 : 0
  project = var.project_id
  name    = "jit-access"
}

resource "google_compute_managed_ssl_certificate" "lb" {
  count   = local.lb ? 1 : 0
  project = var.project_id
  name    = "jit-access"
  managed {
    domains = [var.domain]
  }
  lifecycle {
    precondition {
      condition     = var.domain != ""
      error_message = "topology lb needs domain (the managed certificate is issued for it)."
    }
  }
}

resource "google_compute_target_https_proxy" "lb" {
  count            = local.lb ? 1 : 0
  project          = var.project_id
  name             = "jit-access"
  url_map          = google_compute_url_map.lb[0].id
  ssl_certificates = [google_compute_managed_ssl_certificate.lb[0].id]
}

resource "google_compute_global_forwarding_rule" "lb" {
  count                 = local.lb ? 1 : 0
  project               = var.project_id
  name                  = "jit-access"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  target                = google_compute_target_https_proxy.lb[0].id
  ip_address            = google_compute_global_address.lb[0].id
  port_range            = "443"
}

resource "google_dns_record_set" "lb" {
  count        = local.lb && var.dns_zone != "" ? 1 : 0
  project      = var.project_id
  managed_zone = var.dns_zone
  name         = "${var.domain}."
  type         = "A"
  ttl          = 300
  rrdatas      = [google_compute_global_address.lb[0].address]
}
