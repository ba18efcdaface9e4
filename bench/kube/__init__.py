"""Kubernetes benchmark: listing many pods across pages, and certificate material per rotation (EC against RSA)."""
