"""Seeding lives in chatops.demo.kube.seed (`chatops demo` seeds its clusters with it); tests keep this name."""

import sys

from chatops.demo.kube import seed

sys.modules[__name__] = seed
