"""Learning: the per-tenant model registry, and training as a service."""
