"""The same POSTs driven by wrk, where it is installed: a C generator that leaves the cores to the server.

wrk runs a Lua script that cycles the bodies (each with its session) and
prints requests/s and latency percentiles with ``--latency``; this module
writes the script, runs wrk and reads its summary. Nothing here is needed
for the benchmark to run: without wrk on PATH the rows are left out.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

SCRIPT = """
local bodies = {%s}
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i + 1
  local body = bodies[(i %% #bodies) + 1]:gsub("@SESSION@", "wrk-" .. (i %% 200))
  return wrk.format(nil, nil, nil, body)
end
"""
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


@dataclass(frozen=True)
class WrkResult:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def available() -> bool:
    return shutil.which("wrk") is not None


def run(name: str, url: str, bodies: Sequence[dict[str, Any]], *, connections: int, seconds: int, workdir: Path) -> WrkResult:
    """wrk against ``url`` for ``seconds`` over ``connections`` connections, with two threads."""
    script = workdir / "bodies.lua"
    quoted = [json.dumps(json.dumps({**b, "session": "@SESSION@"} if "session" in b else b)) for b in bodies]
    script.write_text(SCRIPT % ", ".join(quoted))
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    return WrkResult(name, _number(r"Requests/sec:\s+([\d.]+)", out), _latency("50%", out), _latency("99%", out), _errors(out))


def _number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    if match is None:
        raise ValueError(f"wrk printed no {pattern!r}:\n{text}")
    return float(match[1])


def _latency(percent: str, text: str) -> float:
    match = re.search(rf"^\s*{percent}\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    if match is None:
        raise ValueError(f"wrk printed no {percent} latency:\n{text}")
    return float(match[1]) * UNITS[match[2]]


def _errors(text: str) -> int:
    """Non-2xx answers plus socket errors (connect, read, write, timeout)."""
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    return (int(non_2xx[1]) if non_2xx else 0) + (sum(int(n) for n in sockets.groups()) if sockets else 0)
