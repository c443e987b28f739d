"""The printed ledgers (issue 17): the files are opened and read back (python-docx, pypdf), not only
written: the meetings' topics and attendance, the clauses, the masked ID number, the header and footer."""

import datetime
import io
import time
import zipfile

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from assessments import services as assessment_services
from assessments.compliance import engine
from assessments.models import MeetingAttachment
from core import reauth
from core.masking import id_number_masked
from core.models import AuditEntry
from portal.ledgers import images, render_docx, services
from portal.ledgers.record_book import record_book_build
from portal.ledgers.year_ledger import SECTIONS, year_ledger_build
from tests.uploads import jpeg, pdf, png

pytestmark = pytest.mark.django_db

YEAR = 2024
TODAY = datetime.date(2025, 2, 1)


@pytest.fixture(autouse=True)
def var_in_tmp(settings, tmp_path):
    """The subtree ZIPs land in the test's own folder."""
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def book(zone):
    """B1's 2024: a general meeting with one member excused (a photo and a scanned sign-in sheet), and
    the secretary's party lecture with study hours."""
    secretary, second, third = zone.b1_members
    assessment_services.meeting_record(
        organisation=zone.b1,
        data={
            "kind": "general",
            "held_on": datetime.date(YEAR, 3, 5),
            "place": "村部会议室",
            "topic": "讨论发展党员",
            "chaired_by": secretary,
            "minutes": "会议讨论了本季度发展对象。",
        },
        attendance={secretary.pk: ("present", ""), second.pk: ("present", ""), third.pk: ("excused", "外出务工")},
        attachments=[jpeg("会场.jpg", size=(400, 300))],
        sign_in_sheets=[pdf("签到表.pdf")],
    )
    assessment_services.meeting_record(
        organisation=zone.b1,
        data={
            "kind": "lecture",
            "held_on": datetime.date(YEAR, 4, 10),
            "place": "党员活动室",
            "topic": "学习新党章",
            "chaired_by": secretary,
            "lecturer": secretary,
            "study_hours": 2,
        },
        attendance={secretary.pk: ("present", ""), second.pk: ("present", ""), third.pk: ("absent", "")},
    )
    return zone


def _password_confirmed(client) -> None:
    """The reader confirmed their password a moment ago (core.reauth), as before any print in full."""
    session = client.session
    session[reauth.CONFIRMED_AT] = time.time()
    session.save()


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _docx_text(content: bytes) -> str:
    word = docx.Document(io.BytesIO(content))
    parts = [p.text for p in word.paragraphs]
    parts += [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_record_book_pdf_prints_each_meeting_with_its_attendance(book):
    """落实"三会一课"(支部大会、支委会、党小组会,上党课) (Q-THREE-MEETINGS): the record book holds every
    meeting in date order with 应到 / 实到 / 请假 (with the reason) / 缺席, the chair, the lecturer, the
    minutes and the photo, on A4 with the organisation and year above and the dates below."""
    zone = book
    document = record_book_build(organisation=zone.b1, year=YEAR, today=TODAY)
    content = services.FORMATS["pdf"][0](document)
    reader = PdfReader(io.BytesIO(content))
    text = _pdf_text(content)

    assert text.index("讨论发展党员") < text.index("学习新党章")
    assert "应到 3 人，实到 2 人，请假 1 人，缺席 0 人" in text
    assert "应到 3 人，实到 2 人，请假 0 人，缺席 1 人" in text
    assert f"{zone.b1_members[2].name}（外出务工）" in text
    assert "会议讨论了本季度发展对象。" in text
    assert "签到表.pdf" in text
    assert "东村第1党支部 · 2024年" in reader.pages[1].extract_text()
    assert "生成于 2025-02-01，数据截至 2024-12-31" in reader.pages[1].extract_text()
    pages = len(reader.pages)
    assert f"第 {pages} 页，共 {pages} 页" in reader.pages[-1].extract_text()
    assert [round(float(x)) for x in reader.pages[0].mediabox[2:]] == [595, 842]  # A4
    assert sum(len(page.images) for page in reader.pages) == 2  # the photo and the scanned sign-in sheet
    assert document.summary == {"organisation": "B1", "year": YEAR, "members": 3, "meetings": 2}


def test_record_book_docx_names_its_font_and_holds_the_photo(book):
    """Q-THREE-MEETINGS, as above, in Word: the same text, 宋体 named on the styles, the photo embedded."""
    zone = book
    content = services.FORMATS["docx"][0](record_book_build(organisation=zone.b1, year=YEAR, today=TODAY))
    word = docx.Document(io.BytesIO(content))
    text = _docx_text(content)

    assert "讨论发展党员" in text and "学习新党章" in text
    assert "应到 3 人，实到 2 人，请假 1 人，缺席 0 人" in text
    assert word.sections[0].header.paragraphs[0].text == "东村第1党支部 · 2024年"
    assert word.sections[0].footer.paragraphs[0].text.startswith("生成于 2025-02-01，数据截至 2024-12-31")
    assert round(word.sections[0].page_width.mm) == 210 and round(word.sections[0].page_height.mm) == 297
    fonts = word.styles["Normal"].element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "宋体"
    assert len(word.inline_shapes) == 2  # the sign-in sheet's scanned page, then the photo
    assert abs(word.inline_shapes[1].width - render_docx.TEXT_WIDTH) < 10  # scaled to the text's width


def test_year_ledger_follows_the_opinions_order_and_cites_the_clauses(book):
    """The ledger's sections come in the opinion's order (三.3 the venue, 三.4(1) 三会一课, 党课,
    民主评议, 谈心谈话, 三.4(2) 学时, 三.5(1) 党费, 四.2 述职), then the open findings with their clause:
    "落实"三会一课"…基层支部书记每年为党员上党课不少于1次" (Q-LECTURE-SECRETARY)."""
    zone = book
    engine.compliance_run(year=YEAR, today=TODAY, rules=("Q-THREE-MEETINGS",))
    content = services.FORMATS["pdf"][0](year_ledger_build(organisation=zone.b1, year=YEAR, today=TODAY))
    text = _pdf_text(content).replace("\n", " ")

    positions = [text.index(clause) for clause, _section in SECTIONS]
    assert positions == sorted(positions)
    assert [section for _clause, section in SECTIONS] == sorted(
        (s for _c, s in SECTIONS), key=lambda s: ("三.3", "三.4(1)", "三.4(2)", "三.5(1)", "四.2").index(s)
    )
    assert "已讲" in text  # the secretary's lecture was given
    assert "2024-04-10 学习新党章" in text
    assert "未整改发现" in text and text.index("未整改发现") > positions[-1]
    assert "三会一课 Q-THREE-MEETINGS 2024-01 支委会" in text[text.index("未整改发现") :]  # title, clause, period


def test_year_ledger_lists_each_members_study_hours_against_the_target(book):
    """ "全体党员每年参加学习培训不少于32个学时,基层党组织书记和班子成员学习培训不少于56个学时"
    (Q-TRAINING-MEMBER, Q-TRAINING-LEADER): the lecture's 2 hours credited to those present, against 56
    for the secretary and 32 for the others."""
    zone = book
    content = services.FORMATS["docx"][0](year_ledger_build(organisation=zone.b1, year=YEAR, today=TODAY))
    word = docx.Document(io.BytesIO(content))
    study = next(t for t in word.tables if t.rows[0].cells[0].text == "姓名" and len(t.columns) == 6)
    rows = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in study.rows[1:]}
    secretary, second, third = zone.b1_members
    assert rows[f"{secretary.name}（委员）"] == ["0", "2", "2", "56", "差54学时"]
    assert rows[second.name] == ["0", "2", "2", "32", "差30学时"]
    assert rows[third.name] == ["0", "0", "0", "32", "差32学时"]


def test_print_buttons_on_the_year_page(book, users, client_for):
    zone = book
    page = client_for(users.branch_admin).get(reverse("assessments:year", args=[zone.b1.pk, YEAR]))
    html = page.content.decode()
    assert reverse("ledgers:record_book", args=[zone.b1.pk, YEAR]) + "?format=pdf" in html
    assert reverse("ledgers:year_ledger", args=[zone.b1.pk, YEAR]) + "?format=docx" in html
    assert reverse("ledgers:subtree", args=[zone.b1.pk, YEAR]) in html


def test_print_is_audited_with_what_it_contained(book, users, client_for):
    zone = book
    response = client_for(users.auditor).get(
        reverse("ledgers:record_book", args=[zone.b1.pk, YEAR]), {"format": "docx"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == services.FORMATS["docx"][1]
    assert "学习新党章" in _docx_text(response.content)
    entry = AuditEntry.objects.get(action="ledgers.ledger.printed")
    assert (entry.username, entry.model, entry.object_pk) == (
        users.auditor.username,
        "branches.organisation",
        str(zone.b1.pk),
    )
    assert entry.extra == {
        "document": "record_book",
        "format": "docx",
        "organisation": "B1",
        "year": YEAR,
        "members": 3,
        "meetings": 2,
    }


def test_print_outside_the_scope_is_not_found(book, users, client_for):
    zone = book
    client = client_for(users.other_admin)
    for name in ("ledgers:record_book", "ledgers:year_ledger", "ledgers:subtree"):
        assert client.get(reverse(name, args=[zone.b1.pk, YEAR])).status_code == 404
    assert client.get(reverse("ledgers:member_card", args=[zone.b1_members[0].pk])).status_code == 404
    assert not AuditEntry.objects.filter(action="ledgers.ledger.printed").exists()


def test_unknown_format_goes_back_with_a_message(book, users, client_for):
    zone = book
    response = client_for(users.branch_admin).get(
        reverse("ledgers:year_ledger", args=[zone.b1.pk, YEAR]), {"format": "odt"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("assessments:year", args=[zone.b1.pk, YEAR])
    assert "格式 odt 不是台账的打印格式：请选择 PDF 或 Word（.docx）。" in response.content.decode()


def test_member_card_is_masked_for_the_auditor(zone, users, client_for):
    """The ID number as on the member's page: masked for the auditor (core.masking)."""
    member = zone.b1_members[0]
    response = client_for(users.auditor).get(reverse("ledgers:member_card", args=[member.pk]))
    text = _pdf_text(response.content)
    assert id_number_masked(member.id_number) in text
    assert member.id_number not in text
    assert "东村第1党支部" in text and "书记" in text  # the organisation and the post
    entry = AuditEntry.objects.get(action="ledgers.ledger.printed")
    assert entry.extra["document"] == "member_card" and entry.extra["unmasked"] is False


def test_member_card_in_full_asks_for_the_password_first(zone, users, client_for):
    member = zone.b1_members[0]
    client = client_for(users.branch_admin)
    url = reverse("ledgers:member_card", args=[member.pk])
    first = client.get(url, {"format": "docx"})
    assert first.status_code == 302 and first["Location"].startswith(reverse("password_confirm"))
    session = client.session
    session[reauth.CONFIRMED_AT] = time.time()
    session.save()
    text = _docx_text(client.get(url, {"format": "docx"}).content)
    assert member.id_number in text


def test_subtree_zip_is_a_task_with_progress_and_a_download(book, users, client_for):
    """A town's every ledger at once: started on the page, made by the task (in-process here), then
    downloaded; both audited."""
    zone = book
    client = client_for(users.town_admin)
    _password_confirmed(client)
    url = reverse("ledgers:subtree", args=[zone.t1.pk, YEAR])
    assert client.post(url, {"format": "pdf"}).status_code == 302
    progress = client.get(reverse("ledgers:subtree_progress", args=[zone.t1.pk, YEAR]))
    assert progress["HX-Refresh"] == "true"
    assert f"{url}?download=pdf" in progress.content.decode()
    response = client.get(url, {"download": "pdf"})
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert "B1-东村第1党支部/B1-东村第1党支部-2024-会议记录本.pdf" in names
    assert "V1-中共东村总支部委员会/V1-中共东村总支部委员会-2024-党建工作台账.pdf" in names
    assert (
        len([n for n in names if n.startswith("T1-")]) == 2
    )  # the street committee: its ledger and its record book (民主生活会, Q-LIFE-MEETING)
    assert "学习新党章" in _pdf_text(archive.read("B1-东村第1党支部/B1-东村第1党支部-2024-会议记录本.pdf"))
    documents = [e.extra["document"] for e in AuditEntry.objects.filter(action="ledgers.ledger.printed").order_by("pk")]
    assert documents == ["subtree", "subtree_download"]


def test_subtree_needs_a_format(zone, users, client_for):
    response = client_for(users.town_admin).post(reverse("ledgers:subtree", args=[zone.t1.pk, YEAR]), {})
    assert response.status_code == 200
    assert "请选择文件格式：PDF 或 Word。" in response.content.decode()


def test_ledger_command_writes_one_file_or_a_subtree_zip(book, tmp_path):
    """The command prints as the system: the cards in its ZIP are masked."""
    out = tmp_path / "b1.docx"
    call_command("ledger", "B1", str(YEAR), "--format", "docx", "--document", "record_book", "--out", str(out))
    assert "学习新党章" in _docx_text(out.read_bytes())
    town = tmp_path / "t1.zip"
    call_command("ledger", "T1", str(YEAR), "--format", "pdf", "--subtree", "--out", str(town))
    names = zipfile.ZipFile(town).namelist()
    documents = [n for n in names if "/党员档案卡/" not in n]
    assert len(documents) == 5 + 4  # ledgers of T1, V1, B1, G1, B2; record books of T1, B1, G1, B2
    assert len(names) - len(documents) == 3  # the cards of B1's three members


def test_ledger_command_refuses_an_unknown_code(tmp_path, db):
    with pytest.raises(Exception, match="没有组织代码为 NOPE 的党组织"):
        call_command("ledger", "NOPE", str(YEAR), "--out", str(tmp_path / "x.pdf"))


def test_subtree_progress_polls_while_the_zip_is_printed(zone, users, client_for):
    services.subtree_zip_start(organisation=zone.t1, year=YEAR, fmt="docx", unmasked=True)  # the town sees in full
    response = client_for(users.town_admin).get(reverse("ledgers:subtree_progress", args=[zone.t1.pk, YEAR]))
    html = response.content.decode()
    assert "HX-Refresh" not in response
    assert f'hx-get="{reverse("ledgers:subtree_progress", args=[zone.t1.pk, YEAR])}"' in html
    assert "正在打印台账……" in html


def test_a_phone_photo_is_printed_at_print_size(zone):
    """A 12-megapixel photo goes in at 1200 pixels on its long edge (about 175 dpi across the page); a
    transparent PNG scan prints on white."""
    assessment_services.meeting_record(
        organisation=zone.b1,
        data={"kind": "general", "held_on": datetime.date(YEAR, 5, 6), "place": "会议室", "topic": "照片"},
        attendance={m.pk: ("present", "") for m in zone.b1_members},
        attachments=[
            jpeg("大照片.jpg", size=(4000, 3000)),
            png("透明.png", size=(2400, 3000), mode="RGBA", color=(0, 0, 0, 0)),
        ],
    )
    word = docx.Document(io.BytesIO(services.FORMATS["docx"][0](record_book_build(organisation=zone.b1, year=YEAR))))
    blobs = [
        word.part.related_parts[s._inline.graphic.graphicData.pic.blipFill.blip.embed].blob for s in word.inline_shapes
    ]
    pictures = [Image.open(io.BytesIO(blob)) for blob in blobs]
    assert [p.size for p in pictures] == [(1200, 900), (960, 1200)]
    assert pictures[1].getpixel((10, 10)) == (255, 255, 255)


def test_a_photo_gets_its_print_copy_when_it_is_stored(zone, django_capture_on_commit_callbacks):
    """The print copy is made by a task once the meeting is committed, so the record book need not
    shrink the photo while someone waits for it."""
    with django_capture_on_commit_callbacks(execute=True):
        meeting = assessment_services.meeting_record(
            organisation=zone.b1,
            data={"kind": "general", "held_on": datetime.date(YEAR, 5, 6), "place": "会议室", "topic": "照片"},
            attendance={m.pk: ("present", "") for m in zone.b1_members},
            attachments=[jpeg("大照片.jpg", size=(3000, 2000))],
        )
    copy = images._copy_path(meeting.attachments.get().file.path)
    assert copy.exists()
    with Image.open(copy) as printed:
        assert printed.size == (1200, 800)


# Issue 17 leftovers: sign-in sheets under their own label, PDF scans drawn, members' cards in the ZIP.


def _scan_pdf(name: str, *, pages: int = 1) -> SimpleUploadedFile:
    """A scanned sheet as an office scanner makes it: an A4 page at 100 dpi, dark ink in its top half."""
    sheets = []
    for _number in range(pages):
        sheet = Image.new("RGB", (827, 1169), "white")
        sheet.paste((20, 20, 20), (0, 0, 827, 584))
        sheets.append(sheet)
    out = io.BytesIO()
    sheets[0].save(out, format="PDF", resolution=100, save_all=True, append_images=sheets[1:])
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/pdf")


def _meeting_with(zone, **files):
    return assessment_services.meeting_record(
        organisation=zone.b1,
        data={"kind": "general", "held_on": datetime.date(YEAR, 6, 3), "place": "会议室", "topic": "签到表"},
        attendance={m.pk: ("present", "") for m in zone.b1_members},
        **files,
    )


def test_meeting_form_stores_sign_in_sheets_apart_from_photos(zone, users, client_for):
    """落实"三会一课" (Q-THREE-MEETINGS): the secretary chooses the sign-in sheet in its own box on the
    meeting form; the photos' box stays the default."""
    data = {
        "kind": "general",
        "held_on": f"{YEAR}-06-03",
        "place": "会议室",
        "topic": "签到",
        "chaired_by": zone.b1_members[0].pk,
        "attachments": jpeg("会场.jpg"),
        "sign_in_sheets": _scan_pdf("签到表.pdf"),
        **{f"attendance_{m.pk}": "present" for m in zone.b1_members},
    }
    response = client_for(users.branch_admin).post(reverse("assessments:meeting_create", args=[zone.b1.pk]), data)
    assert response.status_code == 302
    kinds = dict(MeetingAttachment.objects.values_list("file_name", "kind"))
    assert kinds == {"会场.jpg": "photo", "签到表.pdf": "sign_in"}
    page = client_for(users.branch_admin).get(reverse("assessments:meeting_create", args=[zone.b1.pk]))
    assert page.context["form"].fields["sign_in_sheets"].label == "签到表"


def test_meeting_form_keeps_a_refused_posts_sign_in_sheet_as_a_sign_in_sheet(zone, users, client_for):
    """Q-THREE-MEETINGS: a mistake elsewhere on the form keeps the chosen sign-in sheet, and it is saved
    as a sign-in sheet, not as a photo, on the next post."""
    client, url = client_for(users.branch_admin), reverse("assessments:meeting_create", args=[zone.b1.pk])
    base = {
        "kind": "general",
        "held_on": f"{YEAR}-06-03",
        "place": "会议室",
        "chaired_by": zone.b1_members[0].pk,
        **{f"attendance_{m.pk}": "present" for m in zone.b1_members},
    }
    refused = client.post(url, {**base, "topic": "", "sign_in_sheets": _scan_pdf("签到表.pdf")})
    [kept] = refused.context["kept_sign_in_sheets"]
    assert refused.context["kept_attachments"] == []
    assert f'name="kept_sign_in_sheets" value="{kept.token}" checked> 签到表.pdf' in refused.content.decode()
    assert client.post(url, {**base, "topic": "签到", "kept_sign_in_sheets": [kept.token]}).status_code == 302
    assert MeetingAttachment.objects.get().kind == "sign_in"


def test_record_book_prints_sign_in_sheets_and_photos_in_their_own_groups(zone):
    """落实"三会一课" (Q-THREE-MEETINGS): the book shows the sign-in sheets under 签到表 and the photos
    under 照片, each captioned with its own label, sign-in sheets first."""
    _meeting_with(zone, attachments=[jpeg("会场.jpg"), png("合影.png")], sign_in_sheets=[png("签到.png")])
    word = docx.Document(io.BytesIO(services.FORMATS["docx"][0](record_book_build(organisation=zone.b1, year=YEAR))))
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 3"]
    captions = [p.text for p in word.paragraphs if p.style.name == "Caption"]
    assert headings == ["会议记录", "签到表", "照片"]
    assert captions == ["签到表：签到.png", "照片：会场.jpg", "照片：合影.png"]


def test_record_book_draws_a_scanned_sign_in_sheet_in_both_formats(zone):
    """Q-THREE-MEETINGS: a sign-in sheet scanned to PDF is drawn into the book, its page rendered at
    150 dpi and scaled to the page, in Word and in PDF."""
    _meeting_with(zone, sign_in_sheets=[_scan_pdf("签到表.pdf")])
    document = record_book_build(organisation=zone.b1, year=YEAR)

    word = docx.Document(io.BytesIO(services.FORMATS["docx"][0](document)))
    [shape] = word.inline_shapes
    blob = word.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
    with Image.open(io.BytesIO(blob)) as page:
        assert [round(side / 10) for side in page.size] == [124, 175]  # A4 at 150 dpi: 1240 by 1754
        assert page.convert("L").getpixel((620, 200)) < 60 and page.convert("L").getpixel((620, 1500)) > 200
    assert abs(shape.height - render_docx.IMAGE_MAX_HEIGHT) < 10  # a tall page: scaled to the height
    assert "签到表：签到表.pdf" in [p.text for p in word.paragraphs]

    reader = PdfReader(io.BytesIO(services.FORMATS["pdf"][0](document)))
    [drawn] = [image for page in reader.pages for image in page.images]
    assert [round(side / 10) for side in drawn.image.size] == [124, 175]
    assert "签到表：签到表.pdf" in "".join(page.extract_text() for page in reader.pages)


def test_record_book_draws_the_first_pages_of_a_long_scan(zone):
    """Q-THREE-MEETINGS: a long PDF is drawn up to its first four pages and says so; the file is kept."""
    _meeting_with(zone, sign_in_sheets=[_scan_pdf("签到表.pdf", pages=6)])
    word = docx.Document(io.BytesIO(services.FORMATS["docx"][0](record_book_build(organisation=zone.b1, year=YEAR))))
    texts = [p.text for p in word.paragraphs]
    assert len(word.inline_shapes) == images.SCAN_MAX_PAGES == 4
    assert "签到表：签到表.pdf，第 1 页，共 6 页" in texts and "签到表：签到表.pdf，第 4 页，共 6 页" in texts
    assert "签到表：签到表.pdf：已打印全部 6 页中的前 4 页，原文件另行保存。" in texts


def test_record_book_names_a_pdf_pdfium_cannot_read(zone):
    """Q-THREE-MEETINGS: a stored PDF that cannot be drawn is still named, the book still printed."""
    meeting = _meeting_with(zone, sign_in_sheets=[_scan_pdf("签到表.pdf")])
    path = meeting.attachments.get().file.path
    with open(path, "wb") as damaged:
        damaged.write(b"%PDF-1.4 not really")
    text = _docx_text(services.FORMATS["docx"][0](record_book_build(organisation=zone.b1, year=YEAR)))
    assert "签到表：签到表.pdf（文档，已存档，此处不打印）" in text


def test_subtree_zip_holds_each_organisations_member_cards_masked_for_the_auditor(book, users, client_for):
    """The subtree ZIP holds a card for each member on an organisation's roll, in its folder, with the
    ID number masked for the auditor who asked (core.masking), and its progress counts the cards."""
    zone = book
    client = client_for(users.auditor)
    url = reverse("ledgers:subtree", args=[zone.t1.pk, YEAR])
    assert client.post(url, {"format": "pdf"}).status_code == 302
    progress = services.subtree_progress(organisation=zone.t1, year=YEAR, fmt="pdf")
    assert (progress["state"], progress["done"], progress["total"]) == ("done", 9 + 3, 9 + 3)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get(url, {"download": "pdf"}).streaming_content)))
    cards = sorted(n for n in archive.namelist() if "/党员档案卡/" in n)
    assert cards == sorted(f"B1-东村第1党支部/党员档案卡/{m.name}-{m.pk}.pdf" for m in zone.b1_members)
    secretary = zone.b1_members[0]
    text = _pdf_text(archive.read(f"B1-东村第1党支部/党员档案卡/{secretary.name}-{secretary.pk}.pdf"))
    assert id_number_masked(secretary.id_number) in text
    assert secretary.id_number not in text
    entry = AuditEntry.objects.get(action="ledgers.ledger.printed", extra__document="subtree")
    assert (entry.extra["cards"], entry.extra["unmasked"]) == (3, False)


def test_subtree_zip_in_full_is_a_file_apart_behind_the_password(book, users, client_for):
    """The town's administrator sees ID numbers in full (core.masking): their ZIP shows them, after the
    password; the auditor, asking for the same subtree, never gets that file."""
    zone = book
    url = reverse("ledgers:subtree", args=[zone.t1.pk, YEAR])
    town = client_for(users.town_admin)
    first = town.post(url, {"format": "docx"})
    assert first.status_code == 302 and first["Location"].startswith(reverse("password_confirm"))
    _password_confirmed(town)
    assert town.post(url, {"format": "docx"}).status_code == 302
    archive = zipfile.ZipFile(io.BytesIO(b"".join(town.get(url, {"download": "docx"}).streaming_content)))
    secretary = zone.b1_members[0]
    assert secretary.id_number in _docx_text(
        archive.read(f"B1-东村第1党支部/党员档案卡/{secretary.name}-{secretary.pk}.docx")
    )
    assert client_for(users.auditor).get(url, {"download": "docx"}).status_code == 404
