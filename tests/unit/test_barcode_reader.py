"""Reading barcodes from pictures the test draws: each supported symbology, tilted,
faded and grainy as phone photos are, several at once, and pictures that are not."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.barcode_reader import MAX_IMAGE_BYTES, ImageRefused, read_codes
from tests.barcode_pictures import Look, photo, random_bytes

GRAINY = Look(rotate=11, contrast=0.45, noise=14, blur=0.8)


@pytest.mark.parametrize(
    ("text", "format_name", "read_as"),
    [
        ("4006381333931", "EAN-13", "4006381333931"),
        ("96385074", "EAN-8", "96385074"),
        ("036000291452", "UPC-A", "0036000291452"),
        ("01234565", "UPC-E", "0012345000065"),
        ("SKU-123/ab", "Code128", "SKU-123/ab"),
        ("https://shop.example/p/9", "QRCode", "https://shop.example/p/9"),
        ("LOT42-EXP2026", "DataMatrix", "LOT42-EXP2026"),
    ],
)
def test_reads_each_symbology_from_a_grainy_tilted_photo(
    text: str, format_name: str, read_as: str
) -> None:
    [code] = read_codes(photo([(text, format_name)], GRAINY, size=(900, 700)))
    assert code.text == read_as


@pytest.mark.parametrize(
    "look",
    [
        Look(rotate=90),
        Look(rotate=180, noise=8),
        Look(rotate=30, contrast=0.5, noise=10),  # turned back by the fallback pass
        Look(contrast=0.25, noise=6),
        Look(noise=25),
    ],
)
def test_reads_a_retail_code_however_the_phone_was_held(look: Look) -> None:
    [code] = read_codes(photo([("4006381333931", "EAN-13")], look, size=(900, 700)))
    assert code.text == "4006381333931"


def test_reads_several_codes_in_one_picture_each_once_top_to_bottom() -> None:
    picture = photo(
        [("4006381333931", "EAN-13"), ("96385074", "EAN-8"), ("hello", "QRCode")],
        Look(rotate=3, noise=8),
        size=(1100, 800),
    )
    assert sorted(c.text for c in read_codes(picture)) == ["4006381333931", "96385074", "hello"]


def test_a_png_sent_as_a_file_reads_too() -> None:
    assert read_codes(photo([("96385074", "EAN-8")], format="PNG"))[0].text == "96385074"


def test_a_picture_without_a_code_reads_nothing() -> None:
    assert read_codes(photo([], Look(noise=15), size=(640, 480))) == []


def test_refuses_bytes_that_are_no_picture() -> None:
    with pytest.raises(ImageRefused) as refused:
        read_codes(random_bytes(4000))
    assert refused.value.why == "not_an_image"


def test_refuses_a_truncated_picture() -> None:
    whole = photo([("96385074", "EAN-8")])
    with pytest.raises(ImageRefused) as refused:
        read_codes(whole[: len(whole) // 3])
    assert refused.value.why == "not_an_image"


def test_refuses_a_file_over_the_size_limit_without_opening_it() -> None:
    with pytest.raises(ImageRefused) as refused:
        read_codes(b"\x89PNG" + bytes(MAX_IMAGE_BYTES))
    assert refused.value.why == "too_big"


def test_refuses_a_small_file_that_unpacks_to_a_huge_bitmap() -> None:
    out = io.BytesIO()
    Image.new("1", (9000, 9000), 1).save(out, format="PNG")  # 81 megapixels in ~10 kB
    assert len(out.getvalue()) < 100_000
    with pytest.raises(ImageRefused) as refused:
        read_codes(out.getvalue())
    assert refused.value.why == "too_many_pixels"
