"""Unit tests run on the fakes, in memory: no network. A test that opens a TCP or UDP
connection, or listens on a port, fails here and belongs in tests/integration."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes import FakeClock, FakeStore, FakeUnitOfWork
from tests.unit.shopfloor import Shopfloor


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def uow(store: FakeStore) -> FakeUnitOfWork:
    return FakeUnitOfWork(store)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def floor(store: FakeStore, clock: FakeClock) -> Shopfloor:
    return Shopfloor(store, clock)


_NETWORK = (socket.AF_INET, socket.AF_INET6)


def _refused(action: str) -> Any:
    original = getattr(socket.socket, action)

    def refuse(sock: socket.socket, *args: Any, **kwargs: Any) -> Any:
        if sock.family in _NETWORK:
            raise AssertionError(f"a unit test does no network I/O (socket.{action}{args})")
        return original(sock, *args, **kwargs)

    return refuse


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for action in ("connect", "connect_ex", "bind"):
        monkeypatch.setattr(socket.socket, action, _refused(action))
    yield
