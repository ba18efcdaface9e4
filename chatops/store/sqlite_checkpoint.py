"""WAL checkpoints off the event loop.

By default SQLite checkpoints inside the commit that takes the WAL past 1,000
pages: that commit copies the pages into the database file and syncs both
files. Here that is 3-5 ms, once every thousand or so writes, and it runs on
the event loop, so every request in flight waits for it: in a 20,000-write run
it made all of the writes above 2 ms (p99.9 3.7 ms against 0.1 ms without).

So the loop's connection never checkpoints (``wal_autocheckpoint = 0``).
Instead, a write schedules a checkpoint ``CHECKPOINT_SECONDS`` later, if none
is scheduled yet. It runs on a thread of its own, with a connection of its
own, in PASSIVE mode: it waits for no reader or writer, and no writer waits
for it. Each process on the file does this; a checkpoint another process is
running makes this one's a no-op. A crash loses nothing: the WAL is the
database's own journal, and whoever opens the file next replays it.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)

# How stale the database file may be behind its WAL. The WAL holds what is written meanwhile
# (at bench/load's rate, a few MB); a shorter delay checkpoints the same pages more often.
CHECKPOINT_SECONDS = 0.5


class Checkpointer:
    def __init__(self, path: str, *, delay: float = CHECKPOINT_SECONDS) -> None:
        self.path = path
        self.delay = delay
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatops-sqlite-checkpoint")
        self._conn: sqlite3.Connection | None = None  # used on the thread only
        self._scheduled: asyncio.TimerHandle | None = None

    def wrote(self) -> None:
        """Called on the loop after a write: a checkpoint follows within ``delay``."""
        if self._scheduled is None:
            self._scheduled = asyncio.get_running_loop().call_later(self.delay, self._start)

    def _start(self) -> None:
        self._scheduled = None
        self._thread.submit(self._checkpoint)

    def _checkpoint(self) -> None:
        try:
            if self._conn is None:
                self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as exc:
            # The WAL only grows until a later checkpoint (or the next opener) succeeds: nothing is lost.
            log.warning("SQLite checkpoint of %s failed: %s", self.path, exc)

    async def close(self) -> None:
        """Cancel what is scheduled, then run it at once (the last checkpoint) and close the connection."""
        scheduled, self._scheduled = self._scheduled, None
        if scheduled is not None:
            scheduled.cancel()
        await asyncio.wrap_future(self._thread.submit(self._last, scheduled is not None))
        self._thread.shutdown(wait=False)

    def _last(self, pending: bool) -> None:
        if pending:
            self._checkpoint()
        if self._conn is not None:
            self._conn.close()
            self._conn = None
