"""Uploaded files (issue 13): what a file is, decided by its content, and how it is served back.

Neither the name a file was uploaded under nor its first bytes say what it is: a "photo" that starts
with PNG's signature may go on with a script. Photos are decoded with Pillow and re-encoded, which
keeps the picture and drops whatever was appended or hidden in it; a PDF must be a PDF from its
header to its end marker and carry no script, launch action or embedded file. The server chooses
the stored name (its extension follows the decided type) and serves the file with that type,
`nosniff` and a sandbox; anything that is not a picture is downloaded, never shown inline.
"""

import io
import re
import uuid
import zlib
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# 50 million pixels: a phone's full-resolution photo; far below what would exhaust a worker's memory
# (a "decompression bomb": a small PNG of zeros that unpacks to gigabytes).
MAX_IMAGE_PIXELS = 50_000_000

# Decided type -> extension of the stored name; the server writes these names and only these.
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
DOCUMENT_TYPES = frozenset(EXTENSIONS)
# Decoders Pillow may try: nothing exotic (EPS would start Ghostscript). GIF and WebP are stored as PNG.
IMAGE_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")

_STORED_NAME = re.compile(r"[0-9a-f]{32}(\.jpg|\.png|\.pdf)")
_STORED_TYPES = {extension: content_type for content_type, extension in EXTENSIONS.items()}

# PDF names that run something or carry another file (PDF 1.7 §12.6, §7.11.4, Adobe's XFA).
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)(?=[\s/\[\]()<>{}%]|$)")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb">>\s*stream(?:\r\n|\n|\r)")
_PDF_EOF_WINDOW = 1024
# Object streams hold dictionaries compressed; their unpacked size is bounded like a picture's.
_PDF_MAX_UNPACKED = 50 * 1024 * 1024

# What a sandboxed served file may do: show itself, nothing else (no script, no form, no frame).
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


@dataclass(frozen=True)
class CheckedUpload:
    """A file as the server stores it: the checked or re-encoded content under a name it chose."""

    file: ContentFile
    content_type: str
    size: int


def upload_check(upload, *, types=DOCUMENT_TYPES) -> CheckedUpload:
    """Issue 13: the file's type decided by its content, a clean copy and a server-chosen name, or
    a ValidationError naming the file. `types` narrows what is accepted (a venue photo is a picture)."""
    name = PurePath(upload.name or "").name
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("%(name)s is larger than %(mb)s MB.") % {"name": name, "mb": MAX_UPLOAD_BYTES // 2**20})
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if data.startswith(b"%PDF-") and "application/pdf" in types:
        content, content_type = _pdf_check(data, name), "application/pdf"
    else:
        content, content_type = _image_reencode(data, name, types)
    return CheckedUpload(
        file=ContentFile(content, name=uuid.uuid4().hex + EXTENSIONS[content_type]),
        content_type=content_type,
        size=len(content),
    )


def _refusal(name: str, types) -> ValidationError:
    if "application/pdf" in types:
        return ValidationError(_("%(name)s is not a JPEG or PNG photo or a PDF scan.") % {"name": name})
    return ValidationError(_("%(name)s is not a JPEG or PNG photo.") % {"name": name})


def _image_reencode(data: bytes, name: str, types) -> tuple[bytes, str]:
    """Decode the picture and encode it again: only pixels survive (no appended bytes, no metadata)."""
    if not types & IMAGE_TYPES:
        raise _refusal(name, types)
    try:
        with Image.open(io.BytesIO(data), formats=IMAGE_FORMATS) as probe:
            width, height = probe.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(
                    _("%(name)s is too large a picture (%(width)s × %(height)s pixels): at most %(mp)s megapixels.")
                    % {"name": name, "width": width, "height": height, "mp": MAX_IMAGE_PIXELS // 1_000_000}
                )
            probe.verify()
        with Image.open(io.BytesIO(data), formats=IMAGE_FORMATS) as image:
            source = image.format
            image.load()
            picture = ImageOps.exif_transpose(image)
        return _encode(picture, source, types)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            _("%(name)s is too large a picture: at most %(mp)s megapixels.")
            % {"name": name, "mp": MAX_IMAGE_PIXELS // 1_000_000}
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _refusal(name, types) from exc


def _encode(picture, source: str, types) -> tuple[bytes, str]:
    """JPEG stays JPEG (quality 90); everything else becomes PNG. Nothing but pixels is kept: no
    EXIF (a phone's GPS position), no ICC profile, no text chunks."""
    out = io.BytesIO()
    if source == "JPEG" and "image/jpeg" in types:
        picture = picture if picture.mode in ("RGB", "L") else picture.convert("RGB")
        picture.info.clear()
        picture.save(out, format="JPEG", quality=90, optimize=True)
        return out.getvalue(), "image/jpeg"
    if "image/png" not in types:
        raise ValueError(source)
    if picture.mode not in ("1", "L", "LA", "I", "I;16", "RGB", "RGBA"):
        has_alpha = "transparency" in picture.info or picture.mode in ("PA", "La") or "A" in picture.getbands()
        picture = picture.convert("RGBA" if has_alpha else "RGB")
    picture.info.clear()
    picture.save(out, format="PNG")
    return out.getvalue(), "image/png"


def _pdf_check(data: bytes, name: str) -> bytes:
    """A PDF from its header to its end marker, with no script, launch action or embedded file in
    its dictionaries (those outside streams and those packed in object streams)."""
    damaged = ValidationError(
        _("%(name)s is a damaged or password-protected PDF: save the scan again as a plain PDF.") % {"name": name}
    )
    tail = data[-_PDF_EOF_WINDOW:]
    if b"startxref" not in tail or b"%%EOF" not in tail or b" obj" not in data:
        raise damaged
    regions, unpacked = [], 0
    position = 0
    for match in _PDF_STREAM.finditer(data):
        if match.start() < position:
            continue
        end = data.find(b"endstream", match.end())
        if end < 0:
            raise damaged
        regions.append(data[position : match.end()])
        head = _PDF_NAME_ESCAPE.sub(_unescape, data[max(position, data.rfind(b"obj", 0, match.start())) : match.end()])
        if b"/ObjStm" in head:
            packed = _pdf_inflate(data[match.end() : end], head, limit=_PDF_MAX_UNPACKED - unpacked)
            if packed is None:
                raise damaged
            unpacked += len(packed)
            regions.append(packed)
        position = end
    regions.append(data[position:])
    for region in regions:
        if _PDF_ACTIVE.search(_PDF_NAME_ESCAPE.sub(_unescape, region)):
            raise ValidationError(
                _("%(name)s contains scripts, actions or embedded files: only a plain scan is accepted as a PDF.")
                % {"name": name}
            )
    return data


def _pdf_inflate(stream: bytes, head: bytes, *, limit: int) -> bytes | None:
    """An object stream's content (stored or Flate-compressed), or None if it cannot be read within
    `limit` bytes (another filter, encryption, damage, a bomb)."""
    if b"/Filter" not in head:
        return stream if len(stream) <= limit else None
    if re.search(rb"/Filter\s*\[?\s*/FlateDecode\s*\]?\s*[/>]", head) is None or limit <= 0:
        return None
    inflater = zlib.decompressobj()
    try:
        packed = inflater.decompress(stream, limit)
    except zlib.error:
        return None
    return None if inflater.unconsumed_tail else packed


def _unescape(match) -> bytes:
    return bytes([int(match[1], 16)])


def stored_type(field_file) -> str | None:
    """The type the server decided when it stored the file, told by the name it chose; None for a
    file stored before issue 13 under the uploader's name, whose type is not known."""
    match = _STORED_NAME.fullmatch(PurePath(field_file.name or "").name)
    return _STORED_TYPES[match[1]] if match else None


def stored_file_response(field_file, *, name: str) -> FileResponse:
    """Serve a stored upload with the type the server decided: pictures inline, everything else as
    a download, never sniffed, sandboxed. `name` is what the user knows the file by; the download
    takes its stem and the stored extension."""
    content_type = stored_type(field_file)
    stem = PurePath(name).stem or "file"
    if content_type is None:
        # Stored under the uploader's name before issue 13: neither name nor content is trusted.
        content_type, download = "application/octet-stream", stem + ".bin"
    else:
        download = stem + EXTENSIONS[content_type]
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, content_type=content_type, filename=download, as_attachment=content_type not in IMAGE_TYPES
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
