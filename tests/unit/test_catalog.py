from __future__ import annotations

from decimal import Decimal

import pytest

from bot import texts
from core import catalog, inventory
from core.catalog import ProductFields
from core.errors import InvalidValue, ProductArchived, ProductExists, ProductNotFound
from core.inventory import InventoryQuery
from tests.fakes import FakeUnitOfWork
from tests.unit.shopfloor import Shopfloor, q


async def test_a_new_product_gets_an_id_and_clean_fields(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(
        owner, "  Oat   Milk ", category=" Dairy ", unit=" L ", threshold=q("2")
    )
    assert milk.id > 0
    assert (milk.name, milk.category, milk.unit) == ("Oat Milk", "dairy", "l")
    assert floor.stored_product(milk.id) == milk


@pytest.mark.parametrize("same", ["oat milk", "OAT MILK", "  Oat    milk  ", "Oat\tMilk"])
async def test_product_names_are_unique_ignoring_case_and_spaces(
    floor: Shopfloor, same: str
) -> None:
    owner = await floor.open_shop()
    await floor.product(owner, "Oat Milk")
    with pytest.raises(ProductExists):
        await floor.product(owner, same)


@pytest.mark.parametrize(
    ("existing", "typed"),
    [("WD-40", "wd40"), ("WD-40", "wd 40"), ("Eggs", "egg"), ("Egg", "eggs"), ("A.B.C", "abc")],
)
async def test_a_name_written_another_way_is_the_product_that_exists(
    floor: Shopfloor, existing: str, typed: str
) -> None:
    """Found in the console: `/add wd40` beside "WD-40" and `/add egg` beside "eggs" made a
    second product of the same thing, and sales split between the two."""
    owner = await floor.open_shop()
    there = await floor.product(owner, existing)
    with pytest.raises(ProductExists) as refused:
        await floor.product(owner, typed)
    assert (refused.value.name, refused.value.product_id) == (existing, there.id)


async def test_names_that_only_begin_alike_are_two_products(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    await floor.product(owner, "Egg noodles")
    await floor.product(owner, "Eggs")
    await floor.product(owner, "WD-40 spray")
    assert (await floor.product(owner, "WD-40")).name == "WD-40"


async def test_the_same_name_is_fine_in_another_shop(floor: Shopfloor) -> None:
    one, two = await floor.open_shop(), await floor.open_shop()
    a = await floor.product(one, "Oat Milk")
    b = await floor.product(two, "oat milk")
    assert a.id != b.id


async def test_renaming_onto_another_products_name_is_refused(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    await floor.product(owner, "Oat Milk")
    soy = await floor.product(owner, "Soy Milk")
    with pytest.raises(ProductExists):
        await catalog.edit_product(floor.uow, owner, soy.id, ProductFields(name="OAT  milk"))
    assert floor.stored_product(soy.id).name == "Soy Milk"


async def test_renaming_a_product_to_another_spelling_of_itself_is_fine(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "oat milk")
    edited = await catalog.edit_product(floor.uow, owner, milk.id, ProductFields(name="Oat Milk"))
    assert edited.name == "Oat Milk"


async def test_edit_changes_only_the_given_fields(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "Oat Milk", category="dairy", price=Decimal("2.50"))
    edited = await catalog.edit_product(
        floor.uow, owner, milk.id, ProductFields(threshold=q("4"), expiry_warning_days=2)
    )
    assert edited.threshold == q("4") and edited.expiry_warning_days == 2
    assert edited.category == "dairy" and edited.price == Decimal("2.50")
    assert floor.stored_product(milk.id) == edited


@pytest.mark.parametrize(
    "bad",
    [
        ProductFields(name="x" * 65),
        ProductFields(name="Milk", threshold=q("-1")),
        ProductFields(name="Milk", expiry_warning_days=366),
        ProductFields(name="Milk", expiry_warning_days=-1),
        ProductFields(name="Milk", unit="  "),
        ProductFields(name="   "),
        ProductFields(),
    ],
)
async def test_invalid_product_fields_are_refused(floor: Shopfloor, bad: ProductFields) -> None:
    owner = await floor.open_shop()
    with pytest.raises(InvalidValue):
        await catalog.add_product(floor.uow, owner, bad)
    assert floor.store.state.products == {}


async def test_archiving_hides_the_product_but_keeps_its_history(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "Oat Milk")
    await floor.restock(owner, milk.id, 5)
    await catalog.archive_product(floor.uow, owner, milk.id)

    assert await catalog.list_products(floor.uow, owner) == []
    page = await inventory.inventory(floor.uow, owner, InventoryQuery(), now=floor.clock.now())
    assert page.total == 0
    with pytest.raises(ProductNotFound):
        await catalog.get_product(floor.uow, owner, milk.id)
    with pytest.raises(ProductNotFound):
        await inventory.product_card(floor.uow, owner, milk.id, now=floor.clock.now())
    with pytest.raises(ProductNotFound):
        await catalog.find_product(floor.uow, owner, "oat milk")
    with pytest.raises(ProductNotFound):
        await floor.restock(owner, milk.id, 1)

    entries = await inventory.history(floor.uow, owner, product_id=milk.id)
    assert [(e.product_name, e.movement.quantity) for e in entries] == [("Oat Milk", q(5))]
    assert floor.stored_product(milk.id).archived


async def test_an_archived_name_is_offered_for_restoring_before_it_is_used_again(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    old = await floor.product(owner, "Oat Milk")
    await catalog.archive_product(floor.uow, owner, old.id)
    with pytest.raises(ProductArchived) as offered:
        await floor.product(owner, "oat milks")
    assert offered.value.product_id == old.id
    new = await catalog.add_product(
        floor.uow, owner, ProductFields(name="oat milk"), reuse_archived_name=True
    )
    assert new.id != old.id
    assert (await catalog.find_product(floor.uow, owner, "OAT MILK")).id == new.id


async def test_archiving_twice_is_refused(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await catalog.archive_product(floor.uow, owner, milk.id)
    with pytest.raises(ProductNotFound):
        await catalog.archive_product(floor.uow, owner, milk.id)


async def test_a_restored_product_comes_back_with_its_stock(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "Oat Milk")
    await floor.restock(owner, milk.id, 5)
    await catalog.archive_product(floor.uow, owner, milk.id)
    assert [p.id for p in await catalog.archived_products(floor.uow, owner)] == [milk.id]
    assert [p.id for p in await catalog.archived_products(floor.uow, owner, "OAT")] == [milk.id]
    assert await catalog.archived_products(floor.uow, owner, "bread") == []

    restored = await catalog.restore_product(floor.uow, owner, milk.id)

    assert not restored.archived and restored.on_hand == q(5)
    assert (await catalog.find_product(floor.uow, owner, "oat milk")).id == milk.id
    assert await catalog.archived_products(floor.uow, owner) == []
    again = await catalog.restore_product(floor.uow, owner, milk.id)
    assert again == restored


async def test_a_product_whose_name_was_taken_again_stays_archived(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    old = await floor.product(owner, "Oat Milk")
    await catalog.archive_product(floor.uow, owner, old.id)
    await catalog.add_product(
        floor.uow, owner, ProductFields(name="oat milk"), reuse_archived_name=True
    )
    with pytest.raises(ProductExists):
        await catalog.restore_product(floor.uow, owner, old.id)
    assert floor.stored_product(old.id).archived


async def test_find_product_matches_any_case_and_spacing(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "Oat Milk")
    assert (await catalog.find_product(floor.uow, owner, "  oAT   milK ")).id == milk.id


async def test_find_product_by_barcode(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "Oat Milk", barcodes=("4006381333931",))
    assert (await catalog.find_product(floor.uow, owner, "4006381333931")).id == milk.id


async def test_an_unknown_name_suggests_the_closest_names(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "Oat Milk")
    await floor.product(owner, "Rye Bread")
    with pytest.raises(ProductNotFound) as refused:
        await catalog.find_product(floor.uow, owner, "oat mlk")
    assert refused.value.suggestions[0] == (milk.id, "Oat Milk")
    assert "Oat Milk" in texts.why(refused.value)


async def test_list_and_categories_are_sorted_and_filtered(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    await floor.product(owner, "Rye Bread", category="Bakery")
    await floor.product(owner, "oat milk", category="dairy")
    await floor.product(owner, "Butter", category="dairy")
    names = [p.name for p in await catalog.list_products(floor.uow, owner)]
    assert names == ["Butter", "oat milk", "Rye Bread"]
    dairy = await catalog.list_products(floor.uow, owner, category=" DAIRY ")
    assert [p.name for p in dairy] == ["Butter", "oat milk"]
    assert await catalog.categories(floor.uow, owner) == ["bakery", "dairy"]


async def test_a_refused_add_writes_nothing(floor: Shopfloor, uow: FakeUnitOfWork) -> None:
    owner = await floor.open_shop()
    await floor.product(owner, "Oat Milk")
    before = floor.store.commits
    with pytest.raises(ProductExists):
        await catalog.add_product(uow, owner, ProductFields(name="oat milk"))
    assert floor.store.commits == before and not uow.committed
