"""Pausing Python's cyclic garbage collector while a big listing is parsed.

Parsing thousands of instances allocates millions of objects; the collector
then runs full collections that hold the GIL for 100-200 ms each, and the
window cannot repaint meanwhile (benchmarks/bench_gui.py stall: 130-180 ms
gaps with it, under 20 ms without). The listing's objects are either kept
(the table's rows, which hold no cycles) or freed by reference counting,
so nothing waits for the collector; it runs again as soon as no listing does,
with the survivors frozen (gc.freeze) so that it does not walk them either.
"""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused = 0
_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    global _paused, _was_enabled
    with _lock:
        _paused += 1
        if _paused == 1:
            _was_enabled = gc.isenabled()
            gc.disable()
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                # What survived the listing (the rows) lives on: frozen before the
                # collector is back, its first full collection has nothing of it to walk.
                gc.freeze()
                gc.enable()
