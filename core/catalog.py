"""Use cases for the product catalog."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import fields, replace

from rapidfuzz import fuzz, process

from core.access import Actor, OwnerAction, authorize
from core.barcodes import checked_barcode, is_gtin_shaped, same_barcode
from core.errors import (
    BarcodeTaken,
    FractionOfWholeUnit,
    Invalid,
    ProductArchived,
    ProductExists,
    ProductGone,
    ProductNotFound,
    TextField,
    ValueRefused,
)
from core.inventory_query import found
from core.limits import (
    MAX_CATEGORY,
    MAX_PRODUCT_NAME,
    MAX_SUPPLIER,
    MAX_UNIT,
    checked_length,
    shortened,
)
from core.model import Product, clean_name, name_key
from core.plurals import same_russian_word, singulars
from core.ports import UnitOfWork
from core.product_fields import CLEARABLE as CLEARABLE
from core.product_fields import EDITABLE, Kind
from core.product_fields import ProductFields as ProductFields
from core.units import allows_fractions, is_whole

MAX_NAME = MAX_PRODUCT_NAME
SUGGESTIONS = 3
# WRatio gives 60 to short names that merely share letters (sourdough ~ flour, soda,
# sugar); a typo (mlik ~ milk) scores 75 and up.
SUGGESTION_CUTOFF = 70


MAX_LEAD_DAYS = 180  # half a year from order to delivery is already a stretch


def _checked(product: Product) -> Product:
    if not product.name:
        raise ValueRefused(Invalid.PRODUCT_NEEDS_NAME)
    checked_length(product.name, MAX_NAME, TextField.PRODUCT_NAME)
    checked_length(product.key, MAX_NAME, TextField.PRODUCT_NAME, folded=True)
    checked_length(product.category, MAX_CATEGORY, TextField.CATEGORY)
    checked_length(product.unit, MAX_UNIT, TextField.UNIT)
    checked_length(product.supplier, MAX_SUPPLIER, TextField.SUPPLIER)
    if product.threshold < 0:
        raise ValueRefused(Invalid.THRESHOLD_NEGATIVE)
    if product.expiry_warning_days is not None and not 0 <= product.expiry_warning_days <= 365:
        raise ValueRefused(Invalid.WARNING_DAYS_RANGE)
    if product.lead_days is not None and not 0 <= product.lead_days <= MAX_LEAD_DAYS:
        raise ValueRefused(Invalid.LEAD_DAYS_RANGE, limit=MAX_LEAD_DAYS)
    if not product.unit:
        raise ValueRefused(Invalid.PRODUCT_NEEDS_UNIT)
    if not allows_fractions(product.unit) and not is_whole(product.threshold):
        raise FractionOfWholeUnit(product.threshold, product.unit, product.name)
    return product


def _apply(product: Product, change: ProductFields, clear: Iterable[str] = ()) -> Product:
    values = {f.name: getattr(change, f.name) for f in fields(change)}
    updates = {k: v for k, v in values.items() if v is not None}
    for name in clear:
        if name not in CLEARABLE:
            raise ValueError(f"{name} cannot be cleared")
        updates[name] = None
    for field in EDITABLE:  # a text is kept without the spaces around it
        if field.kind is Kind.TEXT and updates.get(field.name) is not None:
            updates[field.name] = str(updates[field.name]).strip()
    if "name" in updates:
        updates["name"] = clean_name(str(updates["name"]))
    if "category" in updates:
        updates["category"] = clean_name(str(updates["category"])).lower()
    if "unit" in updates:
        updates["unit"] = str(updates["unit"]).lower()
    if "barcodes" in updates:
        codes = [checked_barcode(str(code)) for code in updates["barcodes"]]
        updates["barcodes"] = tuple(dict.fromkeys(codes))
    return _checked(replace(product, **updates))


def with_fields(product: Product, change: ProductFields) -> Product:
    """The product with `change` applied and checked (InvalidValue / InvalidBarcode)."""
    return _apply(product, change)


async def add_product(
    uow: UnitOfWork, actor: Actor, change: ProductFields, *, reuse_archived_name: bool = False
) -> Product:
    """A new product. The name of an archived product is refused with ProductArchived,
    so the owner can restore it, unless `reuse_archived_name` (a front end that lists
    archived products beside the form: the owner has seen them)."""
    if not change.name or not clean_name(change.name):
        raise ValueRefused(Invalid.PRODUCT_NEEDS_NAME, adding=True)
    draft = _apply(Product(id=0, shop_id=actor.shop_id, name=change.name), change)
    async with uow:
        await authorize(uow, actor, owner_action=OwnerAction.ADD_PRODUCTS)
        if (same := await _called_alike(uow, actor.shop_id, draft.key)) is not None:
            raise ProductExists(same.name, same.id)
        archived = (
            None if reuse_archived_name else await _archived_called(uow, actor.shop_id, draft.name)
        )
        if archived is not None:
            raise ProductArchived(archived.id, archived.name)
        await _barcodes_free(uow, draft)
        product = await uow.products.add(draft)
        await uow.commit()
        return product


async def _called_alike(uow: UnitOfWork, shop_id: int, key: str) -> Product | None:
    """The product a new name would stand beside as a second one of the same thing: the
    same name, or the same but for hyphens, spaces and dots (`wd40` of "WD-40"), or for
    being plural (`egg` of "eggs", `eggs` of "egg"): sales would split between the two."""
    if (same := await product_called(uow, shop_id, key)) is not None:
        return same
    candidates = list(await uow.products.list(shop_id))
    plural_of = [p for p in candidates if key in singulars(p.key)]
    return only_one_spelled_alike(key, candidates) or (plural_of[0] if plural_of else None)


async def edit_product(
    uow: UnitOfWork,
    actor: Actor,
    product_id: int,
    change: ProductFields,
    *,
    clear: Iterable[str] = (),
) -> Product:
    """`change` applied, then the CLEARABLE fields named in `clear` emptied."""
    async with uow:
        await authorize(uow, actor, owner_action=OwnerAction.EDIT_PRODUCTS)
        product = await uow.products.get_for_update(actor.shop_id, product_id)
        if product is None or product.archived:
            raise ProductGone(product_id)
        edited = _apply(product, change, clear)
        if edited.key != product.key:
            other = await uow.products.by_name(actor.shop_id, edited.key)
            if other is not None and other.id != product.id:
                raise ProductExists(edited.name, other.id)
        if edited.barcodes != product.barcodes:
            await _barcodes_free(uow, edited)
        await uow.products.update(edited)
        await uow.commit()
        return edited


async def _barcodes_free(uow: UnitOfWork, product: Product) -> None:
    """A barcode names one product of a shop, or a scan could not say which."""
    if not product.barcodes:
        return
    for other in await uow.products.list(product.shop_id):
        if other.id == product.id:
            continue
        for code in product.barcodes:
            if any(same_barcode(code, theirs) for theirs in other.barcodes):
                raise BarcodeTaken(code, other.name)


def with_barcode(products: Iterable[Product], code: str) -> Product | None:
    for product in products:
        if any(same_barcode(code, known) for known in product.barcodes):
            return product
    return None


async def identify_barcodes(
    uow: UnitOfWork, actor: Actor, codes: Sequence[str]
) -> list[tuple[str, Product | None]]:
    """Each scanned code with the product it belongs to, or None when it is unknown."""
    async with uow:
        await authorize(uow, actor)
        products = list(await uow.products.list(actor.shop_id))
        return [(code, with_barcode(products, code)) for code in codes]


async def attach_barcode(uow: UnitOfWork, actor: Actor, product_id: int, code: str) -> Product:
    """Give a product one more barcode (a product may have several: sizes, suppliers)."""
    code = checked_barcode(code)
    async with uow:
        await authorize(uow, actor, owner_action=OwnerAction.ATTACH_BARCODES)
        product = await uow.products.get_for_update(actor.shop_id, product_id)
        if product is None or product.archived:
            raise ProductGone(product_id)
        if any(same_barcode(code, known) for known in product.barcodes):
            return product
        attached = replace(product, barcodes=(*product.barcodes, code))
        await _barcodes_free(uow, attached)
        await uow.products.update(attached)
        await uow.commit()
        return attached


async def archive_product(uow: UnitOfWork, actor: Actor, product_id: int) -> Product:
    """Delete means archive: the ledger keeps the product's history."""
    async with uow:
        await authorize(uow, actor, owner_action=OwnerAction.DELETE_PRODUCTS)
        product = await uow.products.get_for_update(actor.shop_id, product_id)
        if product is None or product.archived:
            raise ProductGone(product_id)
        archived = replace(product, archived=True)
        await uow.products.update(archived)
        await uow.commit()
        return archived


async def restore_product(uow: UnitOfWork, actor: Actor, product_id: int) -> Product:
    """Bring an archived product back, with the stock and history it had. Its name (and
    barcodes) may have gone to another product meanwhile: then it stays archived."""
    async with uow:
        await authorize(uow, actor, owner_action=OwnerAction.RESTORE_PRODUCTS)
        product = await uow.products.get_for_update(actor.shop_id, product_id)
        if product is None:
            raise ProductGone(product_id)
        if not product.archived:
            return product
        if (same := await uow.products.by_name(actor.shop_id, product.key)) is not None:
            raise ProductExists(product.name, same.id)
        restored = replace(product, archived=False)
        await _barcodes_free(uow, restored)
        await uow.products.update(restored)
        await uow.commit()
        return restored


async def archived_products(
    uow: UnitOfWork, actor: Actor, search: str | None = None
) -> list[Product]:
    """The shop's archived products by name (those a search finds), for restoring one."""
    async with uow:
        await authorize(uow, actor)
        products = await uow.products.list(actor.shop_id, include_archived=True)
    archived = (p for p in products if p.archived and (not search or found(p, search)))
    return sorted(archived, key=lambda p: p.key)


def suggest(name: str, candidates: list[Product], limit: int = SUGGESTIONS) -> list[Product]:
    """The products whose names are closest to `name`, best first."""
    by_key = {p.key: p for p in candidates}
    matches = process.extract(
        name_key(name),
        list(by_key),
        scorer=fuzz.WRatio,
        limit=limit,
        score_cutoff=SUGGESTION_CUTOFF,
    )
    return [by_key[key] for key, _score, _index in matches]


async def find_product(
    uow: UnitOfWork, actor: Actor, name: str, *, include_archived: bool = False
) -> Product:
    """The product with this name (any case and spacing), or ProductNotFound with the
    closest names as suggestions. `include_archived`: an archived product of that name
    is found when no catalog product has it (its history stays readable)."""
    async with uow:
        await authorize(uow, actor)
        try:
            return await product_named(uow, actor.shop_id, name)
        except ProductNotFound:
            if include_archived and (archived := await _archived_called(uow, actor.shop_id, name)):
                return archived
            raise


async def _archived_called(uow: UnitOfWork, shop_id: int, name: str) -> Product | None:
    """The archived product with this name (or its singular), the latest archived when a
    name was archived more than once."""
    keys = {name_key(name), *singulars(name_key(name))}
    products = await uow.products.list(shop_id, include_archived=True)
    named = [p for p in products if p.archived and p.key in keys]
    return max(named, key=lambda p: p.id, default=None)


async def product_called(
    uow: UnitOfWork, shop_id: int, name: str, *, lock: bool = False
) -> Product | None:
    """The product with exactly this name (any case and spacing), or its singular
    (`croissants` → `croissant`, core.plurals); None when there is none. `lock`: the
    product found is locked as `products.get_for_update` locks it."""
    key = name_key(name)
    for candidate in (key, *singulars(key)):
        product = await uow.products.by_name(shop_id, candidate, lock=lock)
        if product is not None:
            return product
    return None


# What is dropped before names are compared: every mark (hyphens, spaces, dots), but a
# decimal point or comma between digits stays, as a point: `1.5 л` is not `15 л`.
DROPPED = re.compile(r"(?P<decimal>(?<=\d)[.,](?=\d))|[\W_]")


def _spelling(key: str) -> str:
    """A name key without what people type either way: hyphens, spaces, dots (`wd 40`,
    `wd-40`, `wd40`), and ё as е (`мед` for `мёд`)."""
    return DROPPED.sub(lambda mark: "." if mark["decimal"] else "", key.replace("ё", "е"))


def only_one_spelled_alike(name: str, candidates: list[Product]) -> Product | None:
    """The one product whose name is `name` but for hyphens, spaces, dots or ё; None when
    no product or several are."""
    typed = _spelling(name_key(name))
    meant = [p for p in candidates if typed and _spelling(p.key) == typed]
    return meant[0] if len(meant) == 1 else None


def only_one_in_russian(name: str, candidates: list[Product]) -> Product | None:
    """The one product whose name `name` is a Russian form of (`3 круассана`,
    core.plurals); None when no product or several are."""
    key = name_key(name)
    meant = [p for p in candidates if same_russian_word(key, p.key)]
    return meant[0] if len(meant) == 1 else None


def only_one_beginning(name: str, candidates: list[Product]) -> Product | None:
    """The one product whose name begins with `name`'s whole words (`sourdough` of
    "sourdough loaf"); None when no product or several do."""
    words = name_key(name) + " "
    beginning = [p for p in candidates if p.key.startswith(words)]
    return beginning[0] if len(beginning) == 1 else None


async def product_named(
    uow: UnitOfWork, shop_id: int, name: str, *, choices_offered: bool = True, lock: bool = False
) -> Product:
    """`find_product` inside the caller's open unit of work, the shop authorized. Where
    no choice can be offered (`choices_offered` False: a line of a batch), a name that
    begins one product's name alone means that product. `lock`: the product is read
    and locked as `products.get_for_update` does."""
    product = await product_called(uow, shop_id, name, lock=lock)
    if product is not None:
        return product
    barcode = name.strip()
    candidates = list(await uow.products.list(shop_id))
    found = with_barcode(candidates, barcode) if barcode else None
    if found is None:
        found = only_one_spelled_alike(name, candidates) or only_one_in_russian(name, candidates)
    if found is None and not choices_offered:
        found = only_one_beginning(name, candidates)
    if found is not None:
        if not lock:
            return found
        locked = await uow.products.get_for_update(shop_id, found.id)
        if locked is not None and not locked.archived:
            return locked
    if is_gtin_shaped(barcode):
        checked_barcode(barcode)  # a mistyped retail code says so, not "no such name"
    close = suggest(name, candidates)
    raise ProductNotFound(shortened(clean_name(name)), tuple((p.id, p.name) for p in close))


async def get_product(
    uow: UnitOfWork, actor: Actor, product_id: int, *, include_archived: bool = False
) -> Product:
    async with uow:
        await authorize(uow, actor)
        product = await uow.products.get(actor.shop_id, product_id)
        if product is None or (product.archived and not include_archived):
            raise ProductGone(product_id)
        return product


async def list_products(
    uow: UnitOfWork, actor: Actor, category: str | None = None
) -> list[Product]:
    async with uow:
        await authorize(uow, actor)
        key = clean_name(category).lower() if category else None
        products = await uow.products.list(actor.shop_id, category=key)
        return sorted(products, key=lambda p: p.key)


async def categories(uow: UnitOfWork, actor: Actor) -> list[str]:
    async with uow:
        await authorize(uow, actor)
        return sorted(await uow.products.categories(actor.shop_id))
