"""The Kubernetes API stand-in lives in chatops.demo.kube.verbs (`chatops demo` ships it); tests keep this name."""

import sys

from chatops.demo.kube import verbs

sys.modules[__name__] = verbs
