"""The Kubernetes API stand-in lives in chatops.demo.kube.objects (`chatops demo` ships it); tests keep this name."""

import sys

from chatops.demo.kube import objects

sys.modules[__name__] = objects
