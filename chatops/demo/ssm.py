"""The demo's SSM Parameter Store: moto in server mode on a loopback port, seeded through aioboto3."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import aioboto3

from chatops.errors import ConfigError

INSTALL_HINT = "the demo needs moto's server: pip install 'chatops[demo]' (or run ./scripts/demo, which installs it)"
REGION, KEY = "us-east-1", "demo"
PARAMETERS = (
    ("/development/db/url", "String", "postgres://dev-db.internal:5432/shop"),
    ("/development/db/password", "SecureString", "dev-pa55word"),
    ("/development/api/key", "SecureString", "dev-api-key-123"),
    ("/production/db/url", "String", "postgres://prod-db.internal:5432/shop"),
    ("/production/db/password", "SecureString", "prod-s3cret"),
)


@contextmanager
def parameter_store() -> Iterator[str]:
    """Run moto on 127.0.0.1 and yield its URL."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:
        raise ConfigError(INSTALL_HINT) from exc
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's HTTP server logs every request at INFO
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


async def seed(url: str) -> None:
    session = aioboto3.Session(aws_access_key_id=KEY, aws_secret_access_key=KEY, region_name=REGION)
    async with session.client("ssm", endpoint_url=url) as ssm:
        for name, kind, value in PARAMETERS:
            await ssm.put_parameter(Name=name, Type=kind, Value=value, Overwrite=True)
