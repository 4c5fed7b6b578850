"""Python's cycle collector, paused while kg builds a large graph (and off in the `kg` program: kg.cli.run).

A build or a question holds many long-lived objects (documents, facts, the model, records read from the
index) and makes almost no reference cycles, so each full collection walks them all and frees nothing:
measured on 10,000 documents, a third of a rebuild and an eighth of `kg impact`. Peak memory was the same.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """The cycle collector off for the block, and back as it was after (a notebook keeps its own setting)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
