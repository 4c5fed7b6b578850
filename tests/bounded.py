"""Run a function in a forked child with a time and memory bound: what one hostile input may cost.

A bound, not a speed measurement: the limits are many times what the work needs, and only an input that
makes the work blow up (quadratic regexes, a million-edge diagram) reaches them.
"""

from __future__ import annotations

import multiprocessing
import resource
from collections.abc import Callable
from typing import Any


class OverBound(AssertionError):
    """The function ran out of time or memory."""


def run_bounded(fn: Callable[..., Any], *args: Any, seconds: float = 60, memory_mb: int = 1500) -> Any:
    """fn(*args) in a forked child limited to `seconds` and `memory_mb` of address space beyond its start."""
    ctx = multiprocessing.get_context("fork")
    reader, writer = ctx.Pipe(duplex=False)

    def child() -> None:
        with open("/proc/self/statm") as f:
            start = int(f.read().split()[0]) * resource.getpagesize()
        limit = start + memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            writer.send(("ok", fn(*args)))
        except MemoryError:
            writer.send(("memory", None))
        except BaseException as exc:  # noqa: BLE001 - the parent re-raises it
            writer.send(("error", repr(exc)))

    proc = ctx.Process(target=child, daemon=True)
    proc.start()
    writer.close()
    try:
        if not reader.poll(seconds):
            raise OverBound(f"still running after {seconds} s")
        status, value = reader.recv()
    except EOFError:
        raise OverBound(f"the child died (exit code {proc.exitcode})") from None
    finally:
        proc.kill()
        proc.join()
    if status == "memory":
        raise OverBound(f"ran out of its {memory_mb} MB")
    if status == "error":
        raise AssertionError(f"raised {value}")
    return value
