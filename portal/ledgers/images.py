"""Pictures as the printed page needs them. A phone's photo is 12 megapixels and 2 to 4 MB; the page is
174 mm wide, where 1200 pixels print at about 175 dpi. Decoding such a photo takes a few hundred
milliseconds on this machine, so a record book of a hundred photos cannot shrink them on every print:
each picture gets a print copy (JPEG, 1200 pixels on its long edge, a transparent scan on white) the
first time it is printed, kept beside the uploads under `print/` and named after the original's path,
size and time, so a changed file gets a new copy. A JPEG already small enough is printed as stored."""

import hashlib
import io
import os
from pathlib import Path

from django.conf import settings
from PIL import Image

PRINT_LONG_EDGE = 1200  # pixels
QUALITY = 85


def _copy_path(path: str) -> Path:
    stat = os.stat(path)
    key = hashlib.blake2b(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode(), digest_size=16).hexdigest()
    return Path(settings.MEDIA_ROOT) / "print" / key[:2] / f"{key}.jpg"


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


def image_for_print(path: str) -> tuple[str, int, int]:
    """(the file to print, its width and height in pixels) for a stored picture: the picture itself
    when it is a JPEG of at most 1200 pixels, else its print copy, made now if it is not there yet."""
    with Image.open(path) as image:
        width, height = image.size
        if image.format == "JPEG" and max(width, height) <= PRINT_LONG_EDGE:
            return path, width, height
        copy = _copy_path(path)
        if not copy.exists():
            scale = min(1, PRINT_LONG_EDGE / max(width, height))
            content = _print_copy(image, (round(width * scale), round(height * scale)))
            copy.parent.mkdir(parents=True, exist_ok=True)
            partial = copy.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(content)
            partial.replace(copy)  # two prints at once write the same bytes; either wins whole
    with Image.open(copy) as printed:
        return str(copy), *printed.size
