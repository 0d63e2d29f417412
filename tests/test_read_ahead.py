"""Reading one item ahead in a thread: order, errors, and memory of one item more."""

from __future__ import annotations

import threading

import pytest

from quakebench.data.read_ahead import read_ahead


class Source:
    """Items 0, 1, ... that record how many have been produced and whether they were closed."""

    def __init__(self, count: int, fail_at: int | None = None) -> None:
        self.count, self.fail_at = count, fail_at
        self.produced = 0
        self.closed = False
        self.threads: set[str] = set()

    def __iter__(self):
        try:
            for item in range(self.count):
                self.threads.add(threading.current_thread().name)
                if item == self.fail_at:
                    raise ValueError(f"item {item} is corrupt")
                self.produced += 1
                yield item
        finally:
            self.closed = True


def test_items_come_in_order_read_in_another_thread():
    source = Source(20)
    assert list(read_ahead(source)) == list(range(20))
    assert source.closed and source.threads == {"read-ahead"}


def test_only_one_item_is_read_ahead():
    source = Source(10)
    for item in read_ahead(source):
        # the consumer holds `item`: the reader may have read the next one, never two more
        assert source.produced <= item + 2


def test_an_error_is_raised_at_its_item():
    seen = []
    with pytest.raises(ValueError, match="item 3 is corrupt"):
        for item in read_ahead(Source(10, fail_at=3)):
            seen.append(item)
    assert seen == [0, 1, 2]


def test_stopping_early_stops_and_closes_the_reader():
    source = Source(1000)
    items = read_ahead(source)
    assert [next(items) for _ in range(3)] == [0, 1, 2]
    items.close()
    assert source.closed and source.produced <= 4
    assert not any(t.name == "read-ahead" for t in threading.enumerate())
