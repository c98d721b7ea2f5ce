"""Values longer than their columns are refused by core with the limit named, before the
database sees them (on PostgreSQL a VARCHAR overflow was our own failure: retried five
times, then "Something went wrong"); values at the limit, as stored, fit."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot import texts
from core import catalog, shops
from core.access import Actor
from core.catalog import ProductFields
from core.errors import TooLong
from core.limits import MAX_PERSON_NAME
from core.model import Role
from db.uow import SqlUnitOfWork
from tests.integration.conftest import NOW

MakeUow = Callable[[], SqlUnitOfWork]

TOO_LONG = {
    "category over 64": ProductFields(name="tea", category="c" * 65),
    "category that lower case makes 80": ProductFields(name="tea", category="İ" * 40),
    "unit over 16": ProductFields(name="tea", unit="u" * 17),
    "unit that lower case makes 20": ProductFields(name="tea", unit="İ" * 10),
    "supplier over 128": ProductFields(name="tea", supplier="s" * 129),
    "name of 40 ß, 80 case-folded": ProductFields(name="ß" * 40),
    "name of 40 İ, 80 case-folded": ProductFields(name="İ" * 40),
    "name over 64": ProductFields(name="n" * 65),
}


@pytest.mark.parametrize("change", TOO_LONG.values(), ids=TOO_LONG.keys())
async def test_a_value_longer_than_its_column_is_refused_naming_the_limit(
    make_uow: MakeUow, owner: Actor, change: ProductFields
) -> None:
    with pytest.raises(TooLong) as refused:
        await catalog.add_product(make_uow(), owner, change)
    assert str(refused.value.limit) in texts.why(refused.value)
    assert await catalog.list_products(make_uow(), owner) == []


@pytest.mark.parametrize(
    "change",
    [ProductFields(unit="u" * 17), ProductFields(unit="İ" * 10), ProductFields(category="İ" * 40)],
    ids=["unit", "folded unit", "folded category"],
)
async def test_an_edit_longer_than_its_column_is_refused(
    make_uow: MakeUow, owner: Actor, change: ProductFields
) -> None:
    tea = await catalog.add_product(make_uow(), owner, ProductFields(name="tea"))
    with pytest.raises(TooLong):
        await catalog.edit_product(make_uow(), owner, tea.id, change)
    assert await catalog.get_product(make_uow(), owner, tea.id) == tea


async def test_values_at_their_limits_are_stored(make_uow: MakeUow, owner: Actor) -> None:
    fields = ProductFields(
        name="ß" * 32,  # its key "ss" * 32 is exactly 64
        category="İ" * 32,
        unit="İ" * 8,
        supplier="s" * 128,
    )
    product = await catalog.add_product(make_uow(), owner, fields)
    assert await catalog.find_product(make_uow(), owner, "SS" * 32) == product
    assert (len(product.category), len(product.unit), len(product.supplier)) == (64, 16, 128)


async def test_a_person_with_the_longest_telegram_names_can_create_and_join(
    make_uow: MakeUow, owner: Actor
) -> None:
    longest = "F" * 64 + " " + "L" * 64  # first and last name, 129 characters
    shop = await shops.create_shop(make_uow(), 501, longest, "Long Names", NOW)
    invite = await shops.create_invite(make_uow(), owner, Role.STAFF, NOW)
    joined = await shops.join_shop(make_uow(), 502, longest, invite.code, NOW)
    user = await shops.register_user(make_uow(), 503, longest)
    team = await shops.team(make_uow(), Actor(501, shop.id))
    for name in (joined.member.name, user.name, team[0].name):
        assert len(name) == MAX_PERSON_NAME and name.startswith("F" * 64)
