"""Benchmark of the Mini App (a script, not a test): API medians and the page's first load.

Seeds one shop on PostgreSQL (bench.ledger_bench.seed: products × movements by COPY),
serves the real aiohttp app (webapp.server.mount) on loopback, logs in with signed
initData and times over HTTP: the dashboard, an inventory page, a product and a movement
create. Then headless Chromium (Debian's) loads /app/ and reports the bytes transferred
and the time until the dashboard is usable. Targets: API < 20 ms median, first load
< 150 KB and < 1 s.

    .venv/bin/python -m bench.miniapp_bench [--products 10000] [--movements 1000000]
    .venv/bin/python -m bench.miniapp_bench --screenshots docs/miniapp   # a demo shop

`--code DIR` (repeatable) times the API of another checkout on the same data, side by
side, taking turns with this one (--rounds, ABBA…), each column with its load average:
each is this script run as `bench/miniapp_bench.py measure …` with DIR first on the
import path. The database is migrated by this checkout.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import ClientSession, CookieJar, web

from bench.database import fresh_database
from bench.ledger_bench import NOW, seeded
from bot.miniapp_wiring import CHAT_WORDS
from core import catalog, ledger, shops
from core.access import Actor
from core.catalog import ProductFields
from core.errors import DuplicateRequest
from core.model import Reason, Role
from db.engine import create_engine
from db.migrate import upgrade
from db.uow import uow_factory
from devtools.chromium import ARGS, CHROMIUM
from devtools.loopback import serve_on_loopback
from webapp.deps import CSRF_HEADER, IDEMPOTENCY_HEADER, MiniAppConfig, build_deps
from webapp.initdata import WebAppUser, signed_for
from webapp.server import mount
from webapp.session_store import MemorySessionStore

TOKEN = "777000:BENCH-TOKEN"
HERE = Path(__file__).resolve().parents[1]


class FixedClock:
    def __init__(self, now: Any) -> None:
        self._now = now

    def now(self) -> Any:
        return self._now


async def serve(url: str, clock: Any) -> tuple[web.AppRunner, str]:
    engine = create_engine(url)
    deps = build_deps(
        MiniAppConfig(bot_token=TOKEN, init_data_max_age=10**9),
        uow_factory=uow_factory(engine),
        clock=clock,
        store=MemorySessionStore(),
        words=CHAT_WORDS,
        retry_once_on=(DuplicateRequest,),
    )
    app = web.Application()
    mount(app, deps)
    return await serve_on_loopback(app)


def init_data(user: WebAppUser) -> str:
    return signed_for(user, TOKEN, query_id=secrets.token_hex(8))


async def timed(label: str, call: Callable[[], Awaitable[object]], repeat: int) -> float:
    return (await timed_with_cpu(label, call, repeat))[0]


async def timed_with_cpu(
    label: str, call: Callable[[], Awaitable[object]], repeat: int
) -> tuple[float, float]:
    """The median wall time of a call and the median CPU time this process spent on it
    (server and client: the client's share is the same for every checkout), in ms. The
    CPU time is what a loaded machine moves least."""
    for _ in range(3):
        await call()
    samples, cpu = [], []
    for _ in range(repeat):
        started, used = time.perf_counter(), time.process_time()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    median = statistics.median(samples)
    print(
        f"  {label:<40} median {median:7.1f} ms   p90 {sorted(samples)[int(repeat * 0.9)]:7.1f} ms"
        f"   CPU {statistics.median(cpu):5.1f} ms",
        file=sys.stderr,
    )
    return median, statistics.median(cpu)


async def api_timings(base: str, shop_id: int, product_id: int, repeat: int) -> dict[str, float]:
    # unsafe: keep cookies from an IP address (the loopback server)
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
        async with http.post(
            f"{base}/api/v1/session", json={"init_data": init_data(WebAppUser(1, "Owner"))}
        ) as login:
            assert login.status == 200, await login.text()
            csrf = (await login.json())["csrf_token"]
        shop = f"{base}/api/v1/shops/{shop_id}"

        async def get(path: str) -> None:
            async with http.get(shop + path) as response:
                assert response.status == 200, await response.text()
                await response.read()

        # Each restock of another product than the one the card and its history read,
        # and not all of one: every restock adds a batch in stock, which the next restock
        # of that product reads (and the card's recent ledger would grow turn by turn).
        restocked = itertools.cycle(range(1, product_id))

        async def create() -> None:
            headers = {CSRF_HEADER: csrf, IDEMPOTENCY_HEADER: secrets.token_hex(8)}
            body = {"product_id": next(restocked), "kind": "restock", "quantity": "1"}
            async with http.post(f"{shop}/movements", json=body, headers=headers) as response:
                assert response.status == 201, await response.text()
                await response.read()

        print("API over HTTP on loopback (owner):", file=sys.stderr)
        calls: dict[str, Callable[[], Awaitable[object]]] = {
            "GET dashboard": lambda: get("/dashboard"),
            "GET inventory page (50, by name)": lambda: get("/inventory?page_size=50"),
            "GET inventory low, by quantity": lambda: get(
                "/inventory?status=low&sort=quantity&page_size=50"
            ),
            "GET inventory out": lambda: get("/inventory?status=out&page_size=50"),
            "GET inventory near expiry, by expiry": lambda: get(
                "/inventory?status=near_expiry&sort=expiry&page_size=50"
            ),
            "GET inventory expired, by expiry": lambda: get(
                "/inventory?status=expired&sort=expiry&page_size=50"
            ),
            "GET inventory category": lambda: get("/inventory?category=dairy&page_size=50"),
            "GET inventory expiring before a date": lambda: get(
                "/inventory?expires_before=2026-12-05&sort=expiry&page_size=50"
            ),
            "GET inventory search 'product 12'": lambda: get("/inventory?q=product%2012"),
            "GET product": lambda: get(f"/products/{product_id}"),
            "GET product history": lambda: get(f"/products/{product_id}/history"),
            "GET shop history": lambda: get("/history"),
            "POST movement (restock)": create,
        }
        figures = {}
        for label, call in calls.items():
            figures[label], figures[f"{label}, CPU"] = await timed_with_cpu(label, call, repeat)
        return figures


async def first_load(base: str) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=list(ARGS)
        )
        try:
            loads = []
            sizes = []
            for _ in range(5):
                context = await browser.new_context(viewport={"width": 360, "height": 740})
                page = await context.new_page()
                transferred = 0

                async def count(response: Any) -> None:
                    nonlocal transferred
                    sizes_ = await response.request.sizes()
                    transferred += sizes_["responseBodySize"] + sizes_["responseHeadersSize"]

                page.on("response", lambda r: asyncio.ensure_future(count(r)))
                url = f"{base}/app/#tgWebAppData={quote(init_data(WebAppUser(1, 'Owner')))}"
                started = time.perf_counter()
                await page.goto(url)
                await page.wait_for_selector("#view[data-page='dashboard'][data-ready='1']")
                loads.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(0.2)
                sizes.append(transferred)
                await context.close()
            print("first load in headless Chromium (cold cache, login included):")
            print(f"  transferred {statistics.median(sizes) / 1024:7.1f} KB (median of 5)")
            print(f"  time to a usable dashboard {statistics.median(loads):7.1f} ms (median of 5)")
        finally:
            await browser.close()


async def benchmark(args: argparse.Namespace) -> None:
    from bench.checkout import run_in  # here, not at the top: see bench.checkout

    async with fresh_database(args.admin_url, args.database, keep=args.keep) as url:
        shop_id, product_id = await seeded(url, args.products, args.movements)
        if args.code:
            await side_by_side(url, shop_id, product_id, args, run_in)
        else:
            runner, base = await serve(url, FixedClock(NOW))
            try:
                await api_timings(base, shop_id, product_id, args.repeat)
                if not args.no_browser:
                    await first_load(base)
            finally:
                await runner.cleanup()


async def side_by_side(
    url: str, shop_id: int, product_id: int, args: argparse.Namespace, run_in: Any
) -> None:
    """This checkout's API and each --code checkout's on the same database, taking
    turns (ABAB… for --rounds), each round's load average beside its column."""
    codes = [HERE, *args.code]
    columns: dict[str, dict[str, float]] = {}
    for round_ in range(args.rounds):
        for code in codes if round_ % 2 == 0 else reversed(codes):
            figures = run_in(
                code, __file__, "measure", url, str(shop_id), str(product_id), str(args.repeat)
            )
            load = os.getloadavg()[0]
            columns[f"{code.name} #{round_ + 1} (load {load:.1f})"] = figures
            print(f"  measured {code.name}, round {round_ + 1} (load {load:.1f})", file=sys.stderr)
    names = list(columns)
    labels = list(next(iter(columns.values())))
    for kind, rows in (
        ("median ms", [x for x in labels if not x.endswith(", CPU")]),
        ("CPU ms per call (median)", [x for x in labels if x.endswith(", CPU")]),
    ):
        print(f"| {kind} | " + " | ".join(names) + " |")
        print("|---" * (len(names) + 1) + "|")
        for label in rows:
            cells = " | ".join(f"{columns[n].get(label, float('nan')):.1f}" for n in names)
            print(f"| {label.removesuffix(', CPU')} | {cells} |")
        print()


async def measure(url: str, shop_id: int, product_id: int, repeat: int) -> None:
    """The API timings of the code first on the import path; JSON on the last line."""
    runner, base = await serve(url, FixedClock(NOW))
    try:
        figures = await api_timings(base, shop_id, product_id, repeat)
    finally:
        await runner.cleanup()
    print(json.dumps(figures))


# -- screenshots of a demo shop --------------------------------------------------------

OWNER, STAFF = 1001, 1002
THEMES = {
    "light": '{"bg_color":"#ffffff","text_color":"#000000","hint_color":"#707579",'
    '"link_color":"#3390ec","button_color":"#3390ec","button_text_color":"#ffffff",'
    '"secondary_bg_color":"#f4f4f5"}',
    "dark": '{"bg_color":"#212121","text_color":"#ffffff","hint_color":"#aaaaaa",'
    '"link_color":"#8774e1","button_color":"#8774e1","button_text_color":"#ffffff",'
    '"secondary_bg_color":"#181818"}',
}


async def demo_shop(url: str) -> tuple[int, int]:
    from datetime import date

    make_uow = uow_factory(create_engine(url))
    now = NOW
    shop = await shops.create_shop(
        make_uow(), OWNER, "Olga", "Corner Cafe", now - timedelta(days=30)
    )
    owner = Actor(OWNER, shop.id)
    invite = await shops.create_invite(make_uow(), owner, Role.STAFF, now)
    await shops.join_shop(make_uow(), STAFF, "Bob", invite.code, now)
    stock = [
        ("Whole milk", "dairy", "l", "6", "1.10", "0.62", "Dairy Co", "14", date(2026, 11, 27)),
        ("Oat milk", "dairy", "l", "4", "2.20", "1.30", "Oatly", "3", date(2026, 12, 20)),
        ("Butter", "dairy", "pack", "3", "2.90", "1.80", "Dairy Co", "0", None),
        ("Croissant", "bakery", "pcs", "10", "1.60", "0.45", "Le Four", "24", date(2026, 11, 26)),
        (
            "Sourdough loaf",
            "bakery",
            "pcs",
            "4",
            "4.50",
            "1.90",
            "Le Four",
            "2",
            date(2026, 11, 27),
        ),
        (
            "Espresso beans",
            "coffee",
            "kg",
            "2",
            "24.00",
            "13.50",
            "Roastery",
            "5.5",
            date(2027, 5, 1),
        ),
        (
            "Orange juice",
            "drinks",
            "bottle",
            "6",
            "3.20",
            "1.40",
            "Fresh Co",
            "18",
            date(2026, 12, 30),
        ),
        ("Sparkling water", "drinks", "bottle", "12", "1.50", "0.30", "Fresh Co", "0", None),
        ("Paper cups", "supplies", "box", "2", None, "8.00", "PackIt", "7", None),
    ]
    first = 0
    for i, (name, cat, unit, low, price, cost, supplier, qty, expiry) in enumerate(stock):
        product = await catalog.add_product(
            make_uow(),
            owner,
            ProductFields(
                name=name,
                category=cat,
                unit=unit,
                threshold=Decimal(low),
                price=Decimal(price) if price else None,
                cost=Decimal(cost),
                supplier=supplier,
            ),
        )
        first = first or product.id
        for day, part in ((20, Decimal(qty) + 6), (9, Decimal(0))):
            if part > 0:
                await ledger.restock(
                    make_uow(),
                    owner,
                    ledger.Restock(product.id, part, expiry=expiry, cost=Decimal(cost)),
                    key=f"demo-{i}-{day}",
                    now=now - timedelta(days=day),
                )
        if Decimal(qty) + 6 > 0:
            for day in (6, 3, 1):
                await ledger.remove(
                    make_uow(),
                    Actor(STAFF, shop.id),
                    ledger.Removal(product.id, Decimal(2), Reason.SALE),
                    key=f"demo-sale-{i}-{day}",
                    now=now - timedelta(days=day),
                )
    return shop.id, first


async def screenshots(target: Path) -> None:
    from playwright.async_api import async_playwright

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/demo.db"
        await upgrade(url)
        _, product = await demo_shop(url)
        runner, base = await serve(url, FixedClock(NOW))
        pages = [
            ("dashboard", "#/dashboard", "dashboard"),
            ("inventory", "#/inventory?status=low", "inventory"),
            ("product", f"#/product/{product}", "product"),
            ("entry", f"#/entry/{product}?kind=restock", "entry"),
            ("products", "#/products", "products"),
            ("product-edit", f"#/products/{product}/edit", "products"),
            ("history", "#/history", "history"),
            ("more", "#/more", "more"),
        ]
        try:
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=list(ARGS)
                )
                for theme, params in THEMES.items():
                    context = await browser.new_context(
                        viewport={"width": 360, "height": 740},
                        device_scale_factor=2,
                        color_scheme=theme,  # type: ignore[arg-type]
                        bypass_csp=True,
                    )
                    page = await context.new_page()
                    data = quote(init_data(WebAppUser(OWNER, "Olga")))
                    await page.goto(
                        f"{base}/app/#tgWebAppData={data}&tgWebAppThemeParams={quote(params)}"
                    )
                    await page.wait_for_selector("#view[data-ready='1']")
                    for name, hash_, marker in pages:
                        await page.evaluate(
                            "(h) => { if (location.hash === h) return;"
                            " document.querySelector('#view').dataset.ready = '';"
                            " location.hash = h; }",
                            hash_,
                        )
                        await page.wait_for_selector(f"#view[data-page='{marker}'][data-ready='1']")
                        await asyncio.sleep(0.2)
                        path = target / f"{name}-{theme}.png"
                        await page.screenshot(path=str(path), full_page=True)
                        print(f"  {path}")
                    await context.close()
                await browser.close()
        finally:
            await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--database", default="stockbot_miniapp_bench")
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--movements", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--screenshots", type=Path, help="write page screenshots here and stop")
    parser.add_argument(
        "--code",
        type=lambda d: Path(d).resolve(),
        action="append",
        default=[],
        help="also time the API of this checkout (e.g. a `git archive` of main before a "
        "change) on the same data, side by side (no browser)",
    )
    parser.add_argument("--rounds", type=int, default=2, help="turns each checkout takes")
    if sys.argv[1:2] == ["measure"]:
        url, shop, product, repeat = sys.argv[2:6]
        asyncio.run(measure(url, int(shop), int(product), int(repeat)))
        return
    args = parser.parse_args()
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
        asyncio.run(screenshots(args.screenshots))
    else:
        asyncio.run(benchmark(args))


if __name__ == "__main__":
    main()
