"""Pictures as the printed page needs them. A phone's photo is 12 megapixels; the page is 174 mm wide,
where 1600 pixels already print at about 230 dpi. A picture larger than that is decoded at a reduced
scale (JPEG's own DCT scaling, fast) and encoded again at the print size, so a record book of a
hundred photos stays a few tens of megabytes and prints in seconds; a smaller one goes in as stored."""

import io

from PIL import Image

PRINT_LONG_EDGE = 1600  # pixels
PASS_THROUGH_LONG_EDGE = 2000  # a picture up to this size is used as it is stored
QUALITY = 85


def image_for_print(path: str):
    """(the file's path or a JPEG in memory, width, height in pixels) of a stored picture."""
    with Image.open(path) as image:
        width, height = image.size
        if max(width, height) <= PASS_THROUGH_LONG_EDGE:
            return path, width, height
        scale = PRINT_LONG_EDGE / max(width, height)
        size = (round(width * scale), round(height * scale))
        image.draft("RGB", size)  # JPEG: decoded at 1/2, 1/4 or 1/8 of its size, no smaller than asked
        picture = image.convert("RGBA") if "A" in image.getbands() or "transparency" in image.info else image
        if picture.mode == "RGBA":  # a transparent scan prints on white, not black
            background = Image.new("RGB", picture.size, "white")
            background.paste(picture, mask=picture.getchannel("A"))
            picture = background
        picture = picture.convert("RGB")
        picture.thumbnail(size, Image.Resampling.BILINEAR)
        out = io.BytesIO()
        picture.save(out, format="JPEG", quality=QUALITY)
        out.seek(0)
        return out, picture.width, picture.height
