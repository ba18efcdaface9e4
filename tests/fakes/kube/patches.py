"""The Kubernetes API stand-in lives in chatops.demo.kube.patches (`chatops demo` ships it); tests keep this name."""

import sys

from chatops.demo.kube import patches

sys.modules[__name__] = patches
