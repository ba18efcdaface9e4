"""The Kubernetes API stand-in lives in chatops.demo.kube.clusters (`chatops demo` ships it); tests keep this name."""

import sys

from chatops.demo.kube import clusters

sys.modules[__name__] = clusters
