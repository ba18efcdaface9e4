"""chatops: operate infrastructure by chatting."""

__version__ = "0.1.0"
