"""Seeding lives in chatops.demo.kube.seed_webhooks (`chatops demo` seeds its clusters with it); tests keep this name."""

import sys

from chatops.demo.kube import seed_webhooks

sys.modules[__name__] = seed_webhooks
