"""Seeding lives in chatops.demo.kube.seed_diagnose (`chatops demo` seeds its clusters with it); tests keep this name."""

import sys

from chatops.demo.kube import seed_diagnose

sys.modules[__name__] = seed_diagnose
