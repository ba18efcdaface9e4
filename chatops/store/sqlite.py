"""The embedded store: one SQLite file (or ``:memory:``) holding JSON documents.

A call runs on the event loop first: an indexed statement in WAL mode takes a
few microseconds, a hop to a thread and back costs about a hundred of CPU (and
the thread competes for the GIL). The connection waits for no lock there (busy
timeout 0), so the loop never blocks on another process; a call that meets a
locked file goes to one worker thread, which waits up to ``timeout``. While a
call is on the thread, later calls queue behind it there, so the connection is
never used by two threads at once and calls keep their order. Each table keeps
the whole record as JSON in ``doc`` plus the columns that are searched, ordered
or compared atomically (leases, expiry). WAL checkpoints run on a thread of
their own (``sqlite_checkpoint``), never in a commit on the loop.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, TypeVar

from chatops.errors import NotFoundError, StoreUnavailable
from chatops.store.base import AuditRecord, Dataset, Job, SessionRecord, Store
from chatops.store.records import check_state, from_doc, new_id, now, to_doc
from chatops.store.sqlite_checkpoint import CHECKPOINT_SECONDS, Checkpointer

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, updated_at REAL NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, time REAL NOT NULL,
    principal TEXT NOT NULL, action TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_time ON audit (time);
CREATE INDEX IF NOT EXISTS audit_principal ON audit (principal, time);
CREATE INDEX IF NOT EXISTS audit_action ON audit (action, time);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, state TEXT NOT NULL,
    owner TEXT NOT NULL, lease_until REAL NOT NULL, created_at REAL NOT NULL,
    updated_at REAL NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, id);
CREATE INDEX IF NOT EXISTS jobs_kind ON jobs (kind, id);
CREATE TABLE IF NOT EXISTS datasets (name TEXT PRIMARY KEY, owner TEXT NOT NULL, created_at REAL NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, expires_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS events_expiry ON events (expires_at);
CREATE TABLE IF NOT EXISTS locks (key TEXT PRIMARY KEY, owner TEXT NOT NULL, lease_until REAL NOT NULL);
"""

# Columns that are the truth for a job (claim_job changes them without rewriting the doc).
JOB_COLUMNS = "id, kind, state, owner, lease_until, created_at, updated_at, doc"


class SqliteStore(Store):
    """The store in a SQLite file; ``':memory:'`` keeps it in this process (one connection, tests)."""

    def __init__(self, path: str = "chatops.db", *, timeout: float = 5.0, checkpoint_seconds: float = CHECKPOINT_SECONDS) -> None:
        self.path = path
        self.timeout = timeout
        self.checkpoint_seconds = checkpoint_seconds
        self._conn: sqlite3.Connection | None = None
        self._worker: ThreadPoolExecutor | None = None
        self._on_thread = 0  # calls submitted to the worker thread and not finished there
        self._count_lock = threading.Lock()
        self._checkpoints: Checkpointer | None = None
        self._changes = 0  # the connection's total_changes when the last write was seen

    # lifecycle
    async def open(self) -> None:
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatops-sqlite")
        # Opening may wait for a lock (the schema is a write): on the thread, never on the loop.
        await self._run(self._connect, opening=True, on_loop=False)
        if self.path != ":memory:" and self._checkpoints is None:
            self._checkpoints = Checkpointer(self.path, delay=self.checkpoint_seconds)

    async def close(self) -> None:
        if self._worker is None:
            return
        if self._checkpoints is not None:
            await self._checkpoints.close()
            self._checkpoints = None
        await self._run(self._disconnect)
        self._worker.shutdown(wait=False)
        self._worker = None

    async def ping(self) -> None:
        """Readiness: the store can take a write lock, not only read (another process may hold the file locked)."""

        def probe() -> None:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")

        await self._run(probe)

    # sessions
    async def load_session(self, session_id: str) -> SessionRecord | None:
        row = await self._one("SELECT doc FROM sessions WHERE id = ?", (session_id,))
        return from_doc(SessionRecord, json.loads(row[0])) if row else None

    async def save_session(self, record: SessionRecord) -> None:
        doc = to_doc(record) | {"updated_at": now()}
        await self._write(
            "INSERT INTO sessions (id, updated_at, doc) VALUES (?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, doc = excluded.doc",
            (record.id, doc["updated_at"], json.dumps(doc)),
        )

    async def delete_session(self, session_id: str) -> None:
        await self._write("DELETE FROM sessions WHERE id = ?", (session_id,))

    # audit
    async def append_audit(self, record: AuditRecord) -> None:
        doc = to_doc(record) | {"id": record.id or new_id()}
        # A retried append with the same id is ignored, so audit writes can be retried safely.
        await self._write(
            "INSERT OR IGNORE INTO audit (id, time, principal, action, doc) VALUES (?, ?, ?, ?, ?)",
            (doc["id"], record.time, record.principal, record.action, json.dumps(doc)),
        )

    async def query_audit(
        self,
        *,
        since: float | None = None,
        principal: str | None = None,
        action: str | None = None,
        limit: int = 100,
    ) -> list[AuditRecord]:
        where, args = _where({"time >= ?": since, "principal = ?": principal, "action = ?": action})
        rows = await self._all(f"SELECT doc FROM audit{where} ORDER BY time DESC, seq DESC LIMIT ?", (*args, limit))
        return [from_doc(AuditRecord, json.loads(r[0])) for r in rows]

    # jobs
    async def create_job(self, job: Job) -> Job:
        check_state(job.state)
        stamp = now()
        created = dataclasses.replace(job, id=0, created_at=job.created_at or stamp, updated_at=stamp)

        def insert() -> int:
            cur = self._db().execute(
                "INSERT INTO jobs (kind, state, owner, lease_until, created_at, updated_at, doc) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                _job_row(created)[1:],
            )
            return int(cur.lastrowid or 0)

        return dataclasses.replace(created, id=await self._run(insert))

    async def get_job(self, job_id: int) -> Job | None:
        row = await self._one(f"SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,))
        return _job_from_row(row) if row else None

    async def update_job(self, job: Job) -> None:
        check_state(job.state)
        row = _job_row(dataclasses.replace(job, updated_at=now()))
        # owner and lease_until belong to claim_job: a stale copy of the job must not drop a lease.
        changed = await self._write(
            "UPDATE jobs SET kind = ?, state = ?, created_at = ?, updated_at = ?, doc = ? WHERE id = ?",
            (row[1], row[2], *row[5:], job.id),
        )
        if not changed:
            raise NotFoundError(f"job {job.id} not found")

    async def list_jobs(self, *, state: str | None = None, kind: str | None = None, limit: int = 100) -> list[Job]:
        check_state(state)
        where, args = _where({"state = ?": state, "kind = ?": kind})
        rows = await self._all(f"SELECT {JOB_COLUMNS} FROM jobs{where} ORDER BY id DESC LIMIT ?", (*args, limit))
        return [_job_from_row(r) for r in rows]

    async def claim_job(self, job_id: int, owner: str, lease_seconds: float) -> bool:
        stamp = now()
        changed = await self._write(
            "UPDATE jobs SET owner = ?, lease_until = ? WHERE id = ? AND (owner = '' OR owner = ? OR lease_until <= ?)",
            (owner, stamp + lease_seconds, job_id, owner, stamp),
        )
        return changed == 1

    # datasets
    async def put_dataset(self, dataset: Dataset) -> None:
        doc = to_doc(dataset) | {"created_at": dataset.created_at or now()}
        await self._write(
            "INSERT INTO datasets (name, owner, created_at, doc) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE "
            "SET owner = excluded.owner, created_at = excluded.created_at, doc = excluded.doc",
            (dataset.name, dataset.owner, doc["created_at"], json.dumps(doc)),
        )

    async def get_dataset(self, name: str) -> Dataset | None:
        row = await self._one("SELECT doc FROM datasets WHERE name = ?", (name,))
        return from_doc(Dataset, json.loads(row[0])) if row else None

    async def list_datasets(self) -> list[str]:
        return [r[0] for r in await self._all("SELECT name FROM datasets ORDER BY name", ())]

    # de-duplication and leases
    async def remember_event(self, event_id: str, ttl_seconds: float) -> bool:
        stamp = now()

        def remember() -> bool:
            db = self._db()
            db.execute("DELETE FROM events WHERE expires_at <= ?", (stamp,))
            # One statement decides, so two replicas racing on one event id cannot both win.
            cur = db.execute(
                "INSERT INTO events (id, expires_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE "
                "SET expires_at = excluded.expires_at WHERE events.expires_at <= ?",
                (event_id, stamp + ttl_seconds, stamp),
            )
            return cur.rowcount == 1

        return await self._run(remember)

    async def acquire_lock(self, key: str, owner: str, lease_seconds: float) -> bool:
        stamp = now()
        changed = await self._write(
            "INSERT INTO locks (key, owner, lease_until) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE "
            "SET owner = excluded.owner, lease_until = excluded.lease_until "
            "WHERE locks.owner = excluded.owner OR locks.lease_until <= ?",
            (key, owner, stamp + lease_seconds, stamp),
        )
        return changed == 1

    async def release_lock(self, key: str, owner: str) -> None:
        await self._write("DELETE FROM locks WHERE key = ? AND owner = ?", (key, owner))

    # plumbing: the loop, or the worker thread while a call waits for a lock there
    def _connect(self) -> None:
        if self._conn is not None:
            return
        # isolation_level=None: autocommit, each statement is its own atomic transaction. The
        # connection is made here and used on the loop: calls never overlap (see _run).
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False)
        try:
            if self.path != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")  # readers do not wait for writers
                # WAL + NORMAL: a commit survives a crash of the process, not a power cut; no fsync per write.
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute("PRAGMA wal_autocheckpoint = 0")  # the Checkpointer's thread does it, not a commit on the loop
            conn.executescript(SCHEMA)
            conn.execute("PRAGMA busy_timeout = 0")  # on the loop: a locked file goes to the thread at once
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    def _disconnect(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreUnavailable("state store unavailable: the SQLite store is not open")
        return self._conn

    async def _run(self, fn: Callable[[], T], *, opening: bool = False, on_loop: bool = True) -> T:
        if self._worker is None:
            raise StoreUnavailable("state store unavailable: the SQLite store is not open")
        try:
            if on_loop and not self._on_thread:
                try:
                    return self._wrote(fn())
                except sqlite3.OperationalError as exc:
                    if not _busy(exc):
                        raise
            return self._wrote(await self._on_worker(fn))
        except TimeoutError:
            raise StoreUnavailable(
                f"state store unavailable: SQLite database {self.path} did not answer within {self.timeout:g}s",
                detail="sqlite call timed out (the file is locked by another process, or the disk stalls)",
            ) from None
        except sqlite3.Error as exc:
            verb = "cannot open" if opening else "error in"
            raise StoreUnavailable(
                f"state store unavailable: {verb} SQLite database {self.path}: {exc}", detail=repr(exc)
            ) from exc

    def _wrote(self, result: T) -> T:
        """``result``, after scheduling a checkpoint if the call changed rows."""
        if self._checkpoints is not None and self._conn is not None and self._conn.total_changes != self._changes:
            self._changes = self._conn.total_changes
            self._checkpoints.wrote()
        return result

    async def _on_worker(self, fn: Callable[[], T]) -> T:
        """``fn`` on the worker thread, waiting up to ``timeout`` for a lock another process holds."""
        assert self._worker is not None
        waits = self._conn is not None  # opening connects with the timeout already set

        def waiting() -> T:
            if waits:
                self._db().execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            try:
                return fn()
            finally:
                if waits and self._conn is not None:
                    self._conn.execute("PRAGMA busy_timeout = 0")

        with self._count_lock:
            self._on_thread += 1
        try:
            future = self._worker.submit(waiting)
        except BaseException:
            self._off_thread()
            raise
        # Counted down where the call really ends (run or cancelled): one the loop gave up on may still run.
        future.add_done_callback(lambda _: self._off_thread())
        # The bound covers the wait behind earlier calls on the one worker thread too; a call still
        # queued when it passes is cancelled before it starts.
        return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)

    def _off_thread(self) -> None:
        with self._count_lock:
            self._on_thread -= 1

    async def _one(self, sql: str, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        return await self._run(lambda: self._db().execute(sql, args).fetchone())

    async def _all(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return await self._run(lambda: self._db().execute(sql, args).fetchall())

    async def _write(self, sql: str, args: tuple[Any, ...]) -> int:
        """Run one statement; the number of rows it changed."""
        return await self._run(lambda: self._db().execute(sql, args).rowcount)


def _busy(exc: sqlite3.OperationalError) -> bool:
    """Whether a statement failed only because another connection holds the lock it needs."""
    # The low byte is the primary code; extended ones (SQLITE_BUSY_SNAPSHOT, ...) are busy too.
    return (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _where(filters: dict[str, Any]) -> tuple[str, list[Any]]:
    """A WHERE clause from the filters that are set."""
    used = {clause: value for clause, value in filters.items() if value is not None}
    return (" WHERE " + " AND ".join(used), list(used.values())) if used else ("", [])


def _job_row(job: Job) -> tuple[Any, ...]:
    return (
        job.id, job.kind, job.state, job.owner, job.lease_until, job.created_at, job.updated_at, json.dumps(to_doc(job))
    )


def _job_from_row(row: tuple[Any, ...]) -> Job:
    columns = dict(zip(("id", "kind", "state", "owner", "lease_until", "created_at", "updated_at"), row[:7]))
    return from_doc(Job, json.loads(row[7]) | columns)
