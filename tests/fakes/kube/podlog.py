"""The Kubernetes API stand-in lives in chatops.demo.kube.podlog (`chatops demo` ships it); tests keep this name."""

import sys

from chatops.demo.kube import podlog

sys.modules[__name__] = podlog
