"""Reading the next sample in a thread while this one is scored.

Decoding a 1024² sample from Parquet takes about as long as scoring it, and both mostly run
outside the GIL (Arrow's decoder, NumPy's loops), so on two cores they overlap. Exactly one
item is read ahead: memory holds the item being used and the one being read, no more.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()
"""Put on the queue after the last item."""


def read_ahead(items: Iterable[T]) -> Iterator[T]:
    """The items of ``items``, in order, each read in a thread while the previous one is used.

    An error raised while reading is raised here, at the item where it happened. A consumer
    that stops early (``break``, an error) stops the reader, which closes ``items``.
    """
    handoff: queue.Queue = queue.Queue(maxsize=1)
    may_read = threading.Semaphore(1)  # released as the consumer takes an item, or leaves
    gone = threading.Event()

    def read() -> None:
        source = iter(items)
        try:
            while True:
                may_read.acquire()
                if gone.is_set():
                    return
                try:
                    item = next(source)
                except StopIteration:
                    handoff.put(_DONE)
                    return
                except BaseException as error:  # raised in the consumer's thread
                    handoff.put(error)
                    return
                handoff.put(item)
                del item
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    reader = threading.Thread(target=read, name="read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            item = handoff.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            may_read.release()
            yield item
            del item  # not held while the one after is read
    finally:
        gone.set()
        may_read.release()
        reader.join()
