"""The Kubernetes API stand-in lives in chatops.demo.kube.selectors (`chatops demo` ships it); tests keep this name."""

import sys

from chatops.demo.kube import selectors

sys.modules[__name__] = selectors
