"""aioboto3 and botocore, imported when the first SSM request is made.

They are about 35 MiB resident (45 once a client is made), and a bot nobody asks
for a secret never needs them. Use the attributes (``aws_sdk.Session(...)``,
``except aws_sdk.ClientError``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatops.lazy import lazy_names

if TYPE_CHECKING:  # what type checkers see; the table below is what runs
    from aioboto3 import Session
    from aiobotocore.config import AioConfig
    from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, NoCredentialsError

__getattr__ = lazy_names(globals(), {
    "aioboto3": ("Session",),
    "aiobotocore.config": ("AioConfig",),
    "botocore.exceptions": ("BotoCoreError", "ClientError", "ConnectionError", "NoCredentialsError"),
})
