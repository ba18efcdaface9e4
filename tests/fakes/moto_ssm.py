"""The SSM test server: moto in server mode on a free loopback port."""

from __future__ import annotations

import urllib.request

from chatops.demo.ssm import parameter_store as moto_server  # the demo's server is the tests' server


def reset_moto(url: str) -> None:
    """Empty the server: moto keeps its state per process, and every test starts from nothing."""
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST")).close()
