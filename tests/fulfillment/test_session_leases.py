"""Session leases between processes: byte locks in a file for workers of one machine."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import zlib
from itertools import count
from pathlib import Path

import pytest

from chatops.errors import StoreUnavailable
from chatops.fulfillment.session_leases import SLOTS, FileLeases

# Another process: takes the session's byte without waiting, prints whether it could, holds it for HOLD seconds.
OTHER = """
import fcntl, os, sys, time, zlib
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
byte = zlib.crc32(sys.argv[2].encode()) % int(sys.argv[3])
try:
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, byte)
except OSError:
    print("refused", flush=True)
    sys.exit()
print("taken", flush=True)
time.sleep(float(sys.argv[4]))
"""


def other_process(path: Path, session: str, hold: float = 0.0) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", OTHER, str(path), session, str(SLOTS), str(hold)], stdout=subprocess.PIPE, text=True)


def answer(path: Path, session: str) -> str:
    proc = other_process(path, session)
    out, _ = proc.communicate(timeout=30)
    return out.strip()


def same_byte_as(session: str) -> str:
    byte = zlib.crc32(session.encode()) % SLOTS
    return next(s for i in count() if (s := f"other-{i}") != session and zlib.crc32(s.encode()) % SLOTS == byte)


async def test_a_held_session_is_refused_to_another_process_and_free_after(tmp_path: Path) -> None:
    path = tmp_path / "chatops.db.leases"
    leases = FileLeases(str(path))
    async with leases.hold("web:alice"):
        assert await asyncio.to_thread(answer, path, "web:alice") == "refused"
        assert await asyncio.to_thread(answer, path, "web:bob") == "taken"
    assert await asyncio.to_thread(answer, path, "web:alice") == "taken"
    leases.close()


async def test_a_turn_waits_for_the_other_process_and_a_dead_holder_frees_it_at_once(tmp_path: Path) -> None:
    path = tmp_path / "chatops.db.leases"
    holder = other_process(path, "web:alice", hold=60)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "taken"
    leases = FileLeases(str(path), wait_seconds=0.2)
    with pytest.raises(StoreUnavailable, match="busy with this conversation"):
        async with leases.hold("web:alice"):
            pass
    leases.wait_seconds = 20
    waiting = asyncio.create_task(leases.hold("web:alice").__aenter__())
    await asyncio.sleep(0.1)
    assert not waiting.done()
    holder.kill()  # no release: the kernel drops a dead process's locks
    holder.wait()
    await asyncio.wait_for(waiting, 5)
    leases.close()


async def test_two_sessions_on_one_byte_do_not_release_each_other(tmp_path: Path) -> None:
    path = tmp_path / "chatops.db.leases"
    leases = FileLeases(str(path))
    twin = same_byte_as("web:alice")
    async with leases.hold("web:alice"):
        async with leases.hold(twin):
            pass
        assert await asyncio.to_thread(answer, path, "web:alice") == "refused"  # still alice's
    assert await asyncio.to_thread(answer, path, twin) == "taken"
    leases.close()
