"""QR symbols for tickets. The code is base32 (digits and capitals), so qrcode encodes
it in alphanumeric mode and the symbol stays small (version 2 at level M for a
32-character code)."""

import io
from functools import lru_cache

import qrcode
import qrcode.image.svg
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

BORDER = 4  # the quiet zone the QR standard asks for, in modules
# Every mask is valid and every decoder reads all eight; qrcode's search for the "best"
# one (eight trial symbols, each scored) took 90% of a ticket's rendering time, which
# every confirmation e-mail pays. A fixed mask gives the same small symbol at a tenth
# of the cost; the tests decode tickets with zxing-cpp.
MASK_PATTERN = 2


@lru_cache(maxsize=1024)
def _qr(code: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=BORDER,
                       mask_pattern=MASK_PATTERN)
    qr.add_data(code)
    qr.make(fit=True)
    return qr


@lru_cache(maxsize=1024)
def qr_png(code: str, box_size: int = 10) -> bytes:
    matrix = _qr(code).get_matrix()  # includes the quiet zone
    size = len(matrix)
    image = Image.new("1", (size, size), 1)
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    image = image.resize((size * box_size, size * box_size), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@lru_cache(maxsize=1024)
def qr_svg(code: str) -> str:
    image = _qr(code).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


def qr_version(code: str) -> int:
    return _qr(code).version
