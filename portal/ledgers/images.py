"""Pictures as the printed page needs them. A phone's photo is 12 megapixels and 2 to 4 MB; the page is
174 mm wide, where 1200 pixels print at about 175 dpi. Decoding such a photo takes a few hundred
milliseconds on this machine, so a record book of a hundred photos cannot shrink them on every print:
each picture gets a print copy (JPEG, 1200 pixels on its long edge, a transparent scan on white) the
first time it is printed, kept beside the uploads under `print/` and named after the original's path,
size and time, so a changed file gets a new copy. A JPEG already small enough is printed as stored.

A scanned PDF (a sign-in sheet) is drawn too: its first pages are rendered by PDFium (pypdfium2, a
wheel with the library inside) at 150 dpi, the resolution of a printed scan (an A4 page: 1240 by 1754
pixels), and kept as print copies the same way, one JPEG per page."""

import hashlib
import io
import os
from pathlib import Path

import pypdfium2
from django.conf import settings
from PIL import Image

PRINT_LONG_EDGE = 1200  # pixels
QUALITY = 85
PDF_TYPE = "application/pdf"
SCAN_DPI = 150
SCAN_LONG_EDGE = 1754  # an A4 page at 150 dpi; a larger page is drawn smaller
SCAN_MAX_PAGES = 4  # a sign-in sheet is a page or two; a long document is named, its first pages drawn


def _copy_path(path: str, suffix: str = "") -> Path:
    stat = os.stat(path)
    source = f"{path}:{stat.st_size}:{stat.st_mtime_ns}{suffix}"
    key = hashlib.blake2b(source.encode(), digest_size=16).hexdigest()
    return Path(settings.MEDIA_ROOT) / "print" / key[:2] / f"{key}.jpg"


def _copy_write(copy: Path, content: bytes) -> None:
    copy.parent.mkdir(parents=True, exist_ok=True)
    partial = copy.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(content)
    partial.replace(copy)  # two prints at once write the same bytes; either wins whole


def _print_copy(image: Image.Image, size: tuple[int, int]) -> bytes:
    image.draft("RGB", size)  # JPEG: decoded at 1/2, 1/4 or 1/8 of its size, no smaller than asked
    picture = image
    if "A" in image.getbands() or "transparency" in image.info:
        picture = image.convert("RGBA")
        background = Image.new("RGB", picture.size, "white")
        background.paste(picture, mask=picture.getchannel("A"))
        picture = background
    picture = picture.convert("RGB")
    picture.thumbnail(size, Image.Resampling.BILINEAR)
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=QUALITY)
    return out.getvalue()


def image_for_print(path: str, *, long_edge: int = PRINT_LONG_EDGE) -> tuple[str, int, int]:
    """(the file to print, its width and height in pixels) for a stored picture: the picture itself
    when it is a JPEG of at most `long_edge` pixels (a rendered scan page: SCAN_LONG_EDGE), else its
    print copy, made now if it is not there yet."""
    with Image.open(path) as image:
        width, height = image.size
        if image.format == "JPEG" and max(width, height) <= long_edge:
            return path, width, height
        copy = _copy_path(path)
        if not copy.exists():
            scale = min(1, PRINT_LONG_EDGE / max(width, height))
            _copy_write(copy, _print_copy(image, (round(width * scale), round(height * scale))))
    with Image.open(copy) as printed:
        return str(copy), *printed.size


class ScanUnreadable(Exception):
    """PDFium could not open the stored PDF (it passed the upload's checks, but a reader may still fail)."""


def _page_render(pdf, index: int) -> bytes:
    page = pdf[index]
    try:
        width, height = page.get_size()  # points
        scale = min(SCAN_DPI / 72, SCAN_LONG_EDGE / max(width, height, 1))
        bitmap = page.render(scale=scale, fill_color=(255, 255, 255, 255))
        picture = bitmap.to_pil().convert("RGB")
        bitmap.close()
    finally:
        page.close()
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=QUALITY)
    return out.getvalue()


def scan_pages_for_print(path: str) -> tuple[list[tuple[str, int, int]], int]:
    """([(the print copy of a page, its width, its height)] for the first SCAN_MAX_PAGES pages of a
    stored PDF, the PDF's page count); the copies are made now if they are not there yet."""
    try:
        pdf = pypdfium2.PdfDocument(path)
    except pypdfium2.PdfiumError as exc:
        raise ScanUnreadable(str(exc)) from exc
    try:
        count = len(pdf)
        pages = []
        for index in range(min(count, SCAN_MAX_PAGES)):
            copy = _copy_path(path, f":page{index}:{SCAN_DPI}")
            if not copy.exists():
                _copy_write(copy, _page_render(pdf, index))
            with Image.open(copy) as printed:
                pages.append((str(copy), *printed.size))
    finally:
        pdf.close()
    return pages, count
