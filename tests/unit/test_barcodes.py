"""Barcode rules: check digits of retail codes, and which codes name the same product."""

from __future__ import annotations

import pytest

from bot import texts
from core import catalog
from core.barcodes import barcode_keys, checked_barcode, gs1_check_digit, same_barcode, upce_to_upca
from core.catalog import ProductFields
from core.errors import BarcodeTaken, InvalidBarcode, OwnerOnly, ProductNotFound
from tests.unit.shopfloor import Shopfloor


@pytest.mark.parametrize(
    "code",
    [
        "4006381333931",  # EAN-13
        "96385074",  # EAN-8
        "036000291452",  # UPC-A
        "01234565",  # UPC-E
        "10012345678902",  # GTIN-14
        "SKU-123/ab",  # Code 128: no check digit
        "https://shop.example/p/9",  # QR
        "12345",  # too short to be a retail code
    ],
)
def test_accepts_valid_codes_as_typed(code: str) -> None:
    assert checked_barcode(f"  {code} ") == code


@pytest.mark.parametrize(
    ("code", "right"),
    [("4006381333932", 1), ("96385075", 4), ("036000291453", 2), ("10012345678903", 2)],
)
def test_refuses_a_retail_code_whose_check_digit_is_wrong(code: str, right: int) -> None:
    with pytest.raises(InvalidBarcode) as refused:
        checked_barcode(code)
    assert refused.value.why == "check_digit"
    assert refused.value.expected == str(right)
    assert f"would be {right}" in texts.why(refused.value)


@pytest.mark.parametrize(
    ("code", "why"),
    [("", "empty"), ("ab cd", "characters"), ("é1", "characters"), ("x" * 65, "too_long")],
)
def test_refuses_codes_no_scanner_could_read(code: str, why: str) -> None:
    with pytest.raises(InvalidBarcode) as refused:
        checked_barcode(code)
    assert refused.value.why == why


def test_gs1_check_digit_of_known_codes() -> None:
    assert gs1_check_digit("400638133393") == 1
    assert gs1_check_digit("9638507") == 4


def test_upce_expands_to_its_upca() -> None:
    assert upce_to_upca("01234565") == "012345000065"
    assert upce_to_upca("04252614") == "042100005264"
    assert upce_to_upca("21234565") is None


def test_upca_ean13_and_upce_forms_are_the_same_product() -> None:
    assert same_barcode("036000291452", "0036000291452")
    assert same_barcode("01234565", "0012345000065")  # zxing reports UPC-E expanded
    assert not same_barcode("4006381333931", "96385074")
    assert barcode_keys("SKU-1") == {"SKU-1"}


async def test_a_barcode_names_one_product_of_a_shop(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    await floor.product(owner, "cola", barcodes=("036000291452",))
    with pytest.raises(BarcodeTaken) as taken:
        await floor.product(owner, "diet cola", barcodes=("0036000291452",))
    assert taken.value.product == "cola"
    other_shop = await floor.open_shop()
    await floor.product(other_shop, "cola", barcodes=("036000291452",))


async def test_a_typed_code_finds_its_product_in_any_retail_form(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    cola = await floor.product(owner, "cola", barcodes=("036000291452",))
    assert (await catalog.find_product(floor.uow, owner, "0036000291452")).id == cola.id
    with pytest.raises(InvalidBarcode):
        await catalog.find_product(floor.uow, owner, "0036000291453")
    with pytest.raises(ProductNotFound):
        await catalog.find_product(floor.uow, owner, "96385074")


async def test_identify_barcodes_pairs_each_code_with_its_product(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    cola = await floor.product(owner, "cola", barcodes=("036000291452",))
    found = await catalog.identify_barcodes(floor.uow, owner, ["0036000291452", "LOT-9"])
    assert [(code, p.id if p else None) for code, p in found] == [
        ("0036000291452", cola.id),
        ("LOT-9", None),
    ]


async def test_attaching_adds_a_code_once_and_only_for_owners(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "milk", barcodes=("96385074",))
    attached = await catalog.attach_barcode(floor.uow, owner, milk.id, "SKU-7")
    assert attached.barcodes == ("96385074", "SKU-7")
    again = await catalog.attach_barcode(floor.uow, owner, milk.id, "SKU-7")
    assert again.barcodes == ("96385074", "SKU-7")
    staff = await floor.hire(owner)
    with pytest.raises(OwnerOnly):
        await catalog.attach_barcode(floor.uow, staff, milk.id, "SKU-8")
    with pytest.raises(InvalidBarcode):
        await catalog.attach_barcode(floor.uow, owner, milk.id, "96385075")


async def test_editing_checks_the_new_barcode(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "milk")
    with pytest.raises(InvalidBarcode):
        await catalog.edit_product(floor.uow, owner, milk.id, ProductFields(barcodes=("96385075",)))
    assert floor.stored_product(milk.id).barcodes == ()
