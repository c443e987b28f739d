import pytest
from django.urls import reverse

from members.enums import MemberStatus
from members.models import Candidate, Member
from tests.concurrency import opened
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_member_list_masks_id_and_phone_for_auditor(zone, users, client_for):
    member = zone.b1_members[0]
    member.phone = "13800138000"
    member.save()
    page = client_for(users.auditor).get(reverse("members:list")).content.decode()
    assert member.id_number not in page
    assert f"{member.id_number[:6]}********{member.id_number[-4:]}" in page
    assert "138****8000" in page


def test_member_list_rows_escape_names_and_mark_mobile_members(zone, users, client_for):
    """The rows made in one pass (members_tags.member_rows): a name is text, not markup; a member away
    links to the mobile record with the lost-contact flag and the last contact; no match says so."""
    import datetime

    from django.utils import translation

    from members import mobile

    member = zone.b1_members[0]
    Member.objects.filter(pk=member.pk).update(name="<b>李</b>")
    away = mobile.mobile_outflow_record(member=zone.b1_members[1], since=datetime.date(2024, 11, 1), place="广州")
    client = client_for(users.branch_admin)
    with translation.override("zh-hans"):
        page = client.get(reverse("members:list"), {"org": "B1"}).content.decode()
        empty = client.get(reverse("members:list"), {"q": "没有这个人"}).content.decode()
    assert "&lt;b&gt;李&lt;/b&gt;" in page and "<b>李</b>" not in page
    badge = f'href="{reverse("members:mobile_detail", args=[away.pk])}" title="最近联系">失联 · 2024-11-01</a>'
    assert badge in page
    assert 'class="badge text-bg-warning' in page
    assert "没有符合条件的党员。" in empty


def test_member_list_shows_full_id_to_secretary(zone, users, client_for):
    page = client_for(users.branch_admin).get(reverse("members:list")).content.decode()
    assert zone.b1_members[0].id_number in page
    assert zone.b3_members[0].id_number not in page


def test_member_list_filter_by_organisation_code(zone, users, client_for):
    response = client_for(users.bureau).get(reverse("members:list"), {"org": "T2"})
    assert sorted(m.pk for m in response.context["page"]) == sorted(m.pk for m in zone.b3_members)


def test_member_list_organisation_outside_scope_is_an_error(zone, users, client_for):
    response = client_for(users.town_admin).get(reverse("members:list"), {"org": "T2"})
    assert list(response.context["form"].errors) == ["org"]
    assert list(response.context["page"]) == []


@pytest.mark.parametrize("extra", [0, 30])
def test_member_list_query_count_constant(zone, users, client_for, django_assert_num_queries, extra):
    MemberFactory.create_batch(extra, organisation=zone.b2)
    client = client_for(users.bureau)
    # session, user, count, page rows (with their organisation); issue 18: the page's mobile records and
    # the lost-contact months in force.
    with django_assert_num_queries(6):
        client.get(reverse("members:list"))


def test_member_create_form_posts_and_redirects(zone, users, client_for):
    data = {
        "name": "王五",
        "id_number": "11010519491231002x",
        "ethnicity": "01",
        "category": "full",
        "joined_on": "1975年7月1日",
        "life_status": "retired",
    }
    response = client_for(users.town_admin).post(reverse("members:create", args=[zone.b2.pk]), data)
    member = Member.objects.get(name="王五")
    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[member.pk])
    assert (member.id_number, str(member.birth_date), member.organisation_id) == (
        "11010519491231002X",
        "1949-12-31",
        zone.b2.pk,
    )


def test_member_create_form_shows_field_errors_in_chinese(zone, users, client_for):
    data = {
        "name": "王五",
        "id_number": "110105194912310021",
        "ethnicity": "01",
        "category": "full",
        "life_status": "retired",
    }
    response = client_for(users.town_admin).post(reverse("members:create", args=[zone.b2.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == ["身份证号码校验位错误（最后一位应为X）。"]
    assert not Member.objects.filter(name="王五").exists()


def test_member_status_form_and_history_page(zone, users, client_for):
    member = zone.b3_members[1]
    client = client_for(users.other_admin)
    url = reverse("members:status", args=[member.pk])
    response = client.post(
        url, opened(client, url, {"status": MemberStatus.DECEASED, "on": "2024-02-01", "reason": "病故"})
    )
    assert response.status_code == 302
    page = client.get(reverse("members:detail", args=[member.pk]))
    assert [(e.kind, e.reason) for e in page.context["events"]] == [("status_changed", "病故")]
    assert page.context["events"][0].rows == [("status", "在册", "去世")] or page.context["events"][0].rows[0][1:] == (
        "在册",
        "去世",
    )


def test_member_update_form_bad_phone_in_chinese_changes_nothing(zone, users, client_for):
    member = zone.b1_members[0]
    data = {
        "name": member.name,
        "id_number": member.id_number,
        "ethnicity": "01",
        "category": "full",
        "life_status": "in_service",
        "phone": "12345",
    }
    client, url = client_for(users.branch_admin), reverse("members:update", args=[member.pk])
    response = client.post(url, opened(client, url, data))
    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == ["请填写11位手机号码或固定电话（如0731-88888888）。"]
    member.refresh_from_db()
    assert member.phone == ""
    assert member.events.count() == 0


def test_candidate_create_form_under_18_in_chinese(zone, users, client_for):
    data = {"name": "少年", "id_number": "110105201001010010", "applied_on": "2024-01-01"}
    response = client_for(users.branch_admin).post(reverse("members:candidate_create", args=[zone.b1.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"applied_on": ["申请入党时须年满18周岁（N-DEVELOPMENT）。"]}
    assert not Candidate.objects.filter(name="少年").exists()


@pytest.mark.parametrize("form", ["member", "application"])
def test_forms_do_not_name_the_organisation_of_an_id_number_outside_scope(zone, users, client_for, form):
    """Issue 13, item 5: the member form and the application form say "elsewhere; ask the bureau"."""
    number = zone.b3_members[0].id_number
    if form == "member":
        url = reverse("members:create", args=[zone.b1.pk])
        data = {"name": "王五", "id_number": number, "ethnicity": "01", "category": "full", "life_status": "retired"}
    else:
        url = reverse("members:candidate_create", args=[zone.b1.pk])
        data = {"name": "王五", "id_number": number, "applied_on": "2024-03-01"}
    response = client_for(users.branch_admin).post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == ["此人已在其他党组织登记在册；请向组织人事局咨询。"]
    assert zone.b3.name not in response.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("unmasked", [True, False])
def test_member_rows_read_as_the_general_formatting_would_make_them(zone, language, unmasked):
    """The one-pass rows (labels escaped once a page, dates formatted directly) are, character for
    character, what format_html and formats.localize make of the same members."""
    import datetime

    from django.utils import formats, translation
    from django.utils.html import format_html, format_html_join

    from core.reversing import reverse_fast
    from members import mobile
    from members.templatetags import members_tags

    Member.objects.filter(pk=zone.b1_members[0].pk).update(name='<i>"甲" & 乙</i>', phone="0731-88888888")
    Member.objects.filter(pk=zone.b1_members[2].pk).update(
        category="probationary", birth_date=datetime.date(2001, 2, 3)
    )
    mobile.mobile_outflow_record(member=zone.b1_members[1], since=datetime.date(2024, 11, 1), place="广州")
    members = mobile.mobile_marked(members=list(Member.objects.select_related("organisation").order_by("pk")))

    def reference(member):
        record, badge = getattr(member, "mobile", None), ""
        if record is not None:
            badge = format_html(
                ' <a class="badge {} text-decoration-none" href="{}" title="{}">{} · {}</a>',
                "text-bg-warning" if record.lost_contact else "text-bg-info",
                reverse_fast("members:mobile_detail", [record.pk]),
                translation.gettext("Last contact"),
                translation.gettext("Lost contact") if record.lost_contact else translation.gettext("Mobile"),
                formats.date_format(record.reached_on, "Y-m-d") if record.reached_on else "",
            )
        return (
            format_html(
                '<tr><td><a href="{}">{}</a>{}</td><td>{}</td><td>{}</td><td class="font-monospace">{}</td>'
                '<td>{}</td><td><a href="{}">{}</a></td><td class="font-monospace">{}</td><td>{}</td></tr>',
                reverse_fast("members:detail", [member.pk]),
                member.name,
                badge,
                member.get_gender_display(),
                formats.localize(member.birth_date),
                members_tags.id_shown(member.id_number, unmasked),
                member.get_category_display(),
                reverse_fast("branches:detail", [member.organisation_id]),
                member.organisation.name,
                members_tags.phone_shown(member.phone, unmasked),
                member.get_status_display(),
            ),
        )

    with translation.override(language):
        made = members_tags.member_rows(members, unmasked)
        expected = format_html_join("", "{}", (reference(m) for m in members))

    assert len(members) == 5 and made == expected
    assert "&lt;i&gt;&quot;甲&quot; &amp; 乙&lt;/i&gt;" in made
