from __future__ import annotations

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
