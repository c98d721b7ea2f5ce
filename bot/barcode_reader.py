"""Reading barcodes out of a phone photo with zxing-cpp (Pillow opens the image).

Limits keep one photo from taking the process down: at most MAX_IMAGE_BYTES of file
(Telegram's own photos are far smaller; a document can be up to 20 MB) and at most
MAX_IMAGE_PIXELS once decoded, so a small file that unpacks to a huge bitmap (a
"decompression bomb") is refused before it is unpacked. Big photos are scaled down to
MAX_SIDE pixels first: barcodes in a phone photo survive that, and decoding stays fast.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import zxingcpp
from PIL import Image, ImageFilter, UnidentifiedImageError

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
MAX_SIDE = 2500

FORMATS = zxingcpp.barcode_formats_from_str("EAN-13,EAN-8,UPC-A,UPC-E,Code128,QRCode,DataMatrix")


class ImageRefused(Exception):
    """Not an image we can read. `why`: "too_big" (file bytes), "too_many_pixels",
    "not_an_image"."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


@dataclass(frozen=True)
class ScannedCode:
    text: str
    format: str  # as zxing names it: "EAN-13", "QRCode", …


def read_codes(content: bytes) -> list[ScannedCode]:
    """Every barcode in the picture, each once, in reading order (top to bottom).

    A picture that reads at once costs one pass; one that does not is tried again
    denoised (a median filter takes out sensor grain), then denoised and turned ±30°,
    since a line barcode is read only about level or upright."""
    if len(content) > MAX_IMAGE_BYTES:
        raise ImageRefused("too_big")
    image = _open(content)
    found = zxingcpp.read_barcodes(image, formats=FORMATS)
    if not found:
        smooth = image.filter(ImageFilter.MedianFilter(3))
        for angle in (0, 30, -30):
            turned = smooth.rotate(angle, expand=True, fillcolor=255) if angle else smooth
            found = zxingcpp.read_barcodes(turned, formats=FORMATS)
            if found:
                break
    found.sort(key=lambda code: (code.position.top_left.y, code.position.top_left.x))
    codes: dict[str, ScannedCode] = {}
    for code in found:
        if code.valid and code.text and code.text not in codes:
            codes[code.text] = ScannedCode(code.text, str(code.format))
    return list(codes.values())


def _open(content: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ImageRefused("too_many_pixels")
            image.draft("L", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at a reduced size
            gray = image.convert("L")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ImageRefused("not_an_image") from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageRefused("too_many_pixels") from error
    if max(gray.size) > MAX_SIDE:
        gray.thumbnail((MAX_SIDE, MAX_SIDE))
    return gray
