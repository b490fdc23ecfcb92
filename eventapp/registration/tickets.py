"""QR symbols for tickets. The code is base32 (digits and capitals), so qrcode encodes
it in alphanumeric mode and the symbol stays small (version 2 at level M for a 32-character code)."""

import io
from functools import lru_cache

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def _qr(code: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    qr.add_data(code)
    qr.make(fit=True)
    return qr


@lru_cache(maxsize=512)
def qr_png(code: str, box_size: int = 10) -> bytes:
    qr = _qr(code)
    qr.box_size = box_size
    buffer = io.BytesIO()
    qr.make_image().save(buffer)
    return buffer.getvalue()


@lru_cache(maxsize=512)
def qr_svg(code: str) -> str:
    image = _qr(code).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


def qr_version(code: str) -> int:
    return _qr(code).version
