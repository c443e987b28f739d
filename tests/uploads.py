"""Small real files to upload in tests: pictures drawn with Pillow and a one-page PDF from Pillow's
PDF driver (the portal decodes what it stores, so a few magic bytes no longer pass for a photo)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(image_format: str = "PNG", *, size=(8, 6), color="red", mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format=image_format)
    return out.getvalue()


def pdf_bytes() -> bytes:
    """The same bytes every time (no creation date), so a test can compare what is served."""
    out = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(out, format="PDF", creationDate=None, modDate=None)
    return out.getvalue()


def png(name: str = "照片.png", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG", **kwargs), content_type="image/png")


def jpeg(name: str = "照片.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("JPEG", **kwargs), content_type="image/jpeg")


def pdf(name: str = "扫描.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")
