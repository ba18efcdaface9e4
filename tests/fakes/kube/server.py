"""The Kubernetes API stand-in lives in chatops.demo.kube.server (`chatops demo` ships it); tests keep this name."""

import sys

from chatops.demo.kube import server

sys.modules[__name__] = server
