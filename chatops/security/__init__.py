"""Security core: the access policy, secret masking and the audit view."""

from chatops.security.masking import SecretRegistry, mask_parameters, redact
from chatops.security.policy import Decision, Policy, load_policy

__all__ = ["Decision", "Policy", "SecretRegistry", "load_policy", "mask_parameters", "redact"]
