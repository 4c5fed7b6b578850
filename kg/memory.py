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


# Objects a command is done with, kept until its process ends when it ends without tearing the interpreter
# down (kg.cli.run): freeing a large build's documents and model one object at a time took a quarter of a
# second of a 10,000-document rebuild, and the operating system frees them at once. Elsewhere (a notebook,
# the tests) nothing is kept.
_KEPT: list[object] = []
_ENDS_WITHOUT_TEARDOWN = False


def ends_without_teardown() -> None:
    """Say that this process ends without freeing its objects (os._exit), so `outlive` may keep them."""
    global _ENDS_WITHOUT_TEARDOWN
    _ENDS_WITHOUT_TEARDOWN = True


def outlive(*objects: object) -> None:
    """Keep these objects until the process ends, if it ends without teardown; else nothing."""
    if _ENDS_WITHOUT_TEARDOWN:
        _KEPT.extend(objects)
