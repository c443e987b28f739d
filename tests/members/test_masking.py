"""Issue 13, item 3: ID numbers and phones are masked wherever a value is shown to a role that may
not see them in full (the auditor): a member's history, the roster preview's rejected cells, the
text of a failed upload."""

import pytest
from django.urls import reverse

from core.idcard import id_make
from core.masking import id_number_masked, phone_masked, text_masked
from members import imports, services
from members.models import RosterUpload
from tests.members.test_imports import person, sheet_rows, xlsx

pytestmark = pytest.mark.django_db


def test_history_masks_phone_changes_for_the_auditor_and_not_for_the_secretary(zone, users, client_for):
    member = zone.b1_members[0]
    services.member_update(member=member, data={"phone": "17751337547"}, user=users.branch_admin)
    services.member_update(member=member, data={"phone": "13912345678"}, user=users.branch_admin)
    url = reverse("members:detail", args=[member.pk])

    audited = client_for(users.auditor).get(url)
    rows = [row[1:] for event in audited.context["events"] for row in event.rows]
    page = audited.content.decode()

    assert rows == [("177****7547", "139****5678"), ("", "177****7547")]
    assert "联系电话: 177****7547 → 139****5678" in page
    assert "17751337547" not in page and "13912345678" not in page
    secretary = client_for(users.branch_admin).get(url)
    assert [row[1:] for event in secretary.context["events"] for row in event.rows] == [
        ("17751337547", "13912345678"),
        ("", "17751337547"),
    ]


def test_history_masks_an_id_number_correction_for_the_auditor(zone, users, client_for):
    member = zone.b1_members[1]
    before = member.id_number
    # The same birth date and gender, another sequence number: a typing error corrected.
    after = next(
        n for s in (498, 499) if (n := id_make(area="430104", born=member.birth_date, sequence=s, male=True)) != before
    )
    services.member_update(member=member, data={"id_number": after, "gender": None}, user=users.branch_admin)

    page = client_for(users.auditor).get(reverse("members:detail", args=[member.pk])).content.decode()

    assert f"{id_number_masked(before)} → {id_number_masked(after)}" in page
    assert before not in page and after not in page


def test_preview_masks_rejected_id_and_phone_cells_for_the_auditor_only(zone, users, client_for):
    rows = sheet_rows(2)
    wrong = rows[3][3][:-1] + ("0" if rows[3][3][-1] != "0" else "1")  # a wrong check digit
    rows[3][3] = wrong
    rows[4][10] = "1775133754"  # ten digits: not a phone
    upload = imports.roster_upload_preview(
        content=xlsx(rows), file_name="花名册.xlsx", organisation=zone.b2, user=users.town_admin
    )
    url = reverse("members:roster_upload", args=[upload.pk])

    audited = client_for(users.auditor).get(url).content.decode()
    uploader = client_for(users.town_admin).get(url).content.decode()

    assert [(e["row"], e["column"]) for e in upload.errors] == [(4, "公民身份号码"), (5, "联系电话")]
    assert f"<td>{id_number_masked(wrong)}</td>" in audited and f"<td>{phone_masked('1775133754')}</td>" in audited
    assert wrong not in audited and "1775133754" not in audited
    assert f"<td>{wrong}</td>" in uploader and "<td>1775133754</td>" in uploader


def test_a_failure_text_holding_personal_data_is_shown_masked(zone, users, client_for):
    upload = imports.roster_upload_preview(
        content=xlsx(sheet_rows(1)), file_name="a.xlsx", organisation=zone.b2, user=users.town_admin
    )
    # A failure stored by an earlier version quoted the database's words in full.
    raw = f"duplicate key value violates unique constraint DETAIL: Key (id_number)=({person(0)}) 13800138000"
    RosterUpload.objects.filter(pk=upload.pk).update(failure=raw)

    page = client_for(users.bureau).get(reverse("members:roster_upload", args=[upload.pk])).content.decode()

    assert person(0) not in page and "13800138000" not in page
    assert text_masked(raw) in page
    assert f"({id_number_masked(person(0))}) 138****8000" in text_masked(raw)
