"""Pictures of barcodes the way a phone takes them, drawn by the test itself: zxing-cpp
writes the symbol, Pillow puts it on a page, tilts it, fades it and adds sensor noise."""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import zxingcpp
from PIL import Image, ImageFilter

FORMATS = {
    "EAN-13": zxingcpp.BarcodeFormat.EAN13,
    "EAN-8": zxingcpp.BarcodeFormat.EAN8,
    "UPC-A": zxingcpp.BarcodeFormat.UPCA,
    "UPC-E": zxingcpp.BarcodeFormat.UPCE,
    "Code128": zxingcpp.BarcodeFormat.Code128,
    "QRCode": zxingcpp.BarcodeFormat.QRCode,
    "DataMatrix": zxingcpp.BarcodeFormat.DataMatrix,
}


@dataclass(frozen=True)
class Look:
    """How the photo was taken."""

    rotate: float = 0.0  # degrees
    contrast: float = 1.0  # 1 = black on white; 0.3 = dark grey on light grey
    noise: float = 0.0  # standard deviation of the sensor noise, in grey levels
    blur: float = 0.0
    seed: int = 7


def symbol(text: str, format_name: str, scale: int = 4) -> Image.Image:
    barcode = zxingcpp.create_barcode(text, FORMATS[format_name])
    return Image.fromarray(np.array(zxingcpp.write_barcode_to_image(barcode, scale=scale)))


def photo(
    codes: Sequence[tuple[str, str]],
    look: Look = Look(),
    *,
    size: tuple[int, int] = (1200, 900),
    format: str = "JPEG",
) -> bytes:
    """A picture with each (text, format) symbol on it, side by side then down."""
    page = Image.new("L", size, 255)
    x, y, row_height = 60, 60, 0
    for text, format_name in codes:
        mark = symbol(text, format_name)
        if x + mark.width > size[0] - 60:
            x, y, row_height = 60, y + row_height + 60, 0
        page.paste(mark, (x, y))
        x += mark.width + 80
        row_height = max(row_height, mark.height)
    page = page.rotate(look.rotate, expand=True, fillcolor=255, resample=Image.Resampling.BILINEAR)
    if look.blur:
        page = page.filter(ImageFilter.GaussianBlur(look.blur))
    pixels = np.asarray(page, dtype=np.float64)
    middle = 128.0
    pixels = middle + (pixels - middle) * look.contrast
    if look.noise:
        pixels += np.random.default_rng(look.seed).normal(0, look.noise, pixels.shape)
    picture = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).convert("RGB")
    out = io.BytesIO()
    picture.save(out, format=format, quality=85)
    return out.getvalue()


def random_bytes(count: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(count)
