"""Metrics, structured logs and request ids: how the running service is watched."""
