"""Parsing untrusted files in a separate, limited process.

A hostile file can make a parser work for a long time (a 15 KB workbook of 2,000,000
nested elements kept openpyxl busy for 8-14 s) or ask for much memory. Run inside a web
worker, that time is taken from everyone: from the worker's other threads, and, while a
database transaction is open, from every writer on SQLite. So untrusted bytes are parsed
here, in a child process, and only plain values come back. What this relies on:

* The child is a fresh interpreter (`python -B -m selector.services.sandbox TASK`), not a
  fork of a threaded web worker; it gets an environment without the app's secrets
  (no `SECRET_KEY`, no `DATABASE_URL`) and imports only the task's module.
* It limits itself before it reads a byte: CPU seconds (`RLIMIT_CPU`: SIGXCPU, then
  SIGKILL), address space (`RLIMIT_AS`: MemoryError), no core files; after its imports
  no new files (`RLIMIT_FSIZE` 0), few descriptors and no child processes. It runs at a
  lower priority (nice 10), so the web workers keep the CPU.
* The parent kills it after `wall_seconds` and reads at most `output_bytes` of its answer.
* The answer is JSON (never pickle): a task's value may hold str, int, float, bool,
  None, lists, dicts and datetime, date, time and timedelta values, which are tagged on
  the way out and rebuilt on the way in.

A task is a function `bytes -> value` named in `TASKS`; it refuses its input by raising
`Refused(reason, **params)`, which the caller turns into its own message. The child
imports nothing of Flask or SQLAlchemy, so it starts in about 0.1 s (0.2 s with
openpyxl).
"""

from __future__ import annotations

import importlib
import json
import os
import selectors
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time as time_of_day
from datetime import timedelta
from pathlib import Path
from typing import Any

# Task name -> (module, function). Only these run in the child.
TASKS: dict[str, tuple[str, str]] = {
    "xlsx-sheets": ("selector.services.workbook_parse", "xlsx_sheets"),
    "csv-sheets": ("selector.services.workbook_parse", "csv_sheets"),
    "docx-sheets": ("selector.services.workbook_parse", "docx_sheets"),
}


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 5
    memory_bytes: int = 768 * 1024 * 1024
    wall_seconds: float = 30.0
    output_bytes: int = 64 * 1024 * 1024


DEFAULT_LIMITS = Limits()


class Refused(Exception):
    """The task refused its input; `reason` is a fixed word, `params` plain values."""

    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


class Failed(Exception):
    """The child did not answer: `reason` is "time" (CPU or wall clock), "memory" or
    "crash" (anything else, an over-long answer included)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


# -- values across the pipe ---------------------------------------------------------------

_TAG = "$sandbox"


def _tagged(value: Any) -> Any:
    if isinstance(value, datetime):
        return {_TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, date):
        return {_TAG: "date", "v": value.isoformat()}
    if isinstance(value, time_of_day):
        return {_TAG: "time", "v": value.isoformat()}
    if isinstance(value, timedelta):
        return {_TAG: "timedelta", "v": value.total_seconds()}
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    return str(value)  # anything else a parser hands out, as its text


def _untagged(found: dict[str, Any]) -> Any:
    kind = found.get(_TAG)
    if kind is None:
        return found
    value = found.get("v")
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "time":
        return time_of_day.fromisoformat(value)
    if kind == "timedelta":
        return timedelta(seconds=float(value))
    raise ValueError(f"unknown tag {kind!r}")


def encode(answer: dict[str, Any]) -> bytes:
    return json.dumps(answer, default=_tagged, ensure_ascii=False).encode("utf-8")


def decode(data: bytes) -> dict[str, Any]:
    answer = json.loads(data.decode("utf-8"), object_hook=_untagged)
    if not isinstance(answer, dict):
        raise ValueError("the answer is not an object")
    return answer


# -- the parent ---------------------------------------------------------------------------


def _child_env() -> dict[str, str]:
    """Only what an interpreter needs to find the package: no secrets."""
    package_root = str(Path(__file__).resolve().parent.parent.parent)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": package_root,
           "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
           "OPENBLAS_NUM_THREADS": "1",
           # openpyxl: parse through defusedxml, never lxml.
           "OPENPYXL_DEFUSEDXML": "True"}
    return env


def run(task: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> Any:
    """The value `task` makes of `data`, computed in a limited child process. Raises
    Refused (the task refused the input) or Failed (the child died, took too long or
    said too much)."""
    if task not in TASKS:
        raise ValueError(f"unknown sandbox task {task!r}")
    command = [sys.executable, "-B", "-m", "selector.services.sandbox", task,
               str(limits.cpu_seconds), str(limits.memory_bytes)]
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=_child_env(), cwd="/", close_fds=True)
    writer = threading.Thread(target=_feed, args=(process, data), daemon=True)
    writer.start()
    try:
        output, errors, too_long = _collect(process, limits)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        writer.join(timeout=5)
    code = process.returncode
    if too_long == "time":
        raise Failed("time", "wall clock")
    if too_long == "output":
        raise Failed("crash", "answer too long")
    if code in (-9, -24) and "MemoryError" not in errors:  # SIGKILL or SIGXCPU: the CPU limit
        raise Failed("time", f"signal {-code}")
    if "MemoryError" in errors:
        raise Failed("memory")
    try:
        answer = decode(output)
    except (ValueError, UnicodeDecodeError):
        raise Failed("crash", f"exit {code}; {errors[-500:]}") from None
    if "refused" in answer:
        params = answer.get("params")
        raise Refused(str(answer["refused"]), **(params if isinstance(params, dict) else {}))
    if code != 0 or "value" not in answer:
        raise Failed("crash", f"exit {code}; {errors[-500:]}")
    return answer["value"]


def _feed(process: subprocess.Popen, data: bytes) -> None:
    try:
        assert process.stdin is not None
        process.stdin.write(data)
        process.stdin.close()
    except OSError:  # the child died or stopped reading; `run` reports it
        pass


def _collect(process: subprocess.Popen, limits: Limits) -> tuple[bytes, str, str]:
    """stdout (at most `output_bytes`), the tail of stderr, and "time" or "output" when a
    limit cut it short."""
    assert process.stdout is not None and process.stderr is not None
    deadline = time.monotonic() + limits.wall_seconds
    output, errors = bytearray(), bytearray()
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ, output)
        selector.register(process.stderr, selectors.EVENT_READ, errors)
        open_streams = 2
        while open_streams:
            left = deadline - time.monotonic()
            if left <= 0:
                return bytes(output), errors.decode(errors="replace"), "time"
            for key, _ in selector.select(timeout=left):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    open_streams -= 1
                    continue
                key.data.extend(chunk)
                if len(errors) > 65536:
                    del errors[:-8192]
                if len(output) > limits.output_bytes:
                    return b"", errors.decode(errors="replace"), "output"
    remaining = max(0.1, deadline - time.monotonic())
    try:
        process.wait(timeout=remaining)
    except subprocess.TimeoutExpired:
        return bytes(output), errors.decode(errors="replace"), "time"
    return bytes(output), errors.decode(errors="replace"), ""


# -- the child ----------------------------------------------------------------------------


def _limit_self(cpu_seconds: int, memory_bytes: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        os.nice(10)
    except OSError:  # pragma: no cover - already at the lowest priority
        pass


def _lock_down() -> None:
    """After the imports: no files written, few descriptors, no child processes."""
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (16, 16))
    try:
        resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
    except (ValueError, OSError):  # pragma: no cover - some systems refuse 0
        pass


def main(argv: list[str]) -> int:
    task, cpu_seconds, memory_bytes = argv[0], int(argv[1]), int(argv[2])
    _limit_self(cpu_seconds, memory_bytes)
    # openpyxl imports numpy when it can, only to know numpy's number types; numpy
    # would load OpenBLAS, whose thread buffers alone fill a modest address space.
    sys.modules["numpy"] = None  # type: ignore[assignment]  (import numpy: ImportError)
    module, name = TASKS[task]
    function = getattr(importlib.import_module(module), name)
    # Run as `-m`, this module is `__main__`; the task raises the class of the module
    # under its own name.
    refusals = (Refused, importlib.import_module("selector.services.sandbox").Refused)
    _lock_down()
    data = sys.stdin.buffer.read()
    try:
        answer: dict[str, Any] = {"value": function(data)}
    except refusals as refusal:
        answer = {"refused": refusal.reason, "params": refusal.params}
    sys.stdout.buffer.write(encode(answer))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
