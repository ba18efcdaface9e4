"""The Kubernetes API stand-in lives in chatops.demo.kube.velero (`chatops demo` ships it); tests keep this name."""

import sys

from chatops.demo.kube import velero

sys.modules[__name__] = velero
