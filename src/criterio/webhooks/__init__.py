"""Webhooks: a tenant's events (triage decisions) posted to its URLs, signed and retried."""
