"""The Kubernetes API stand-in lives in chatops.demo.kube.kinds (`chatops demo` ships it); tests keep this name."""

import sys

from chatops.demo.kube import kinds

sys.modules[__name__] = kinds
