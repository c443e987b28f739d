import datetime

import pytest
from django.utils import timezone

from core.idcard import id_make
from core.masking import id_number_masked, phone_masked
from core.paginator import CappedPaginator
from members import selectors, services
from members.enums import MemberCategory
from members.models import RosterUpload

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(zone):
    today = timezone.localdate()

    def add(org, name, age, seq):
        born = today.replace(year=today.year - age) - datetime.timedelta(days=10)
        number = id_make(area="430104", born=born, sequence=seq, male=seq % 2 == 1)
        return services.member_create(
            organisation=org,
            data={
                "name": name,
                "id_number": number,
                "joined_on": born.replace(year=born.year + 20),
                "category": MemberCategory.FULL,
            },
        )

    return {
        "zhang": add(zone.b1, "张三", 30, 1),
        "qian": add(zone.b2, "钱四", 50, 2),
        "zeng": add(zone.b3, "曾五", 70, 3),
    }


def names(queryset):
    return [m.name for m in queryset]


def roster_names(queryset):
    """Only the members of the roster fixture (the zone's own members have factory names)."""
    return [m.name for m in queryset if m.name in {"张三", "钱四", "曾五"}]


def test_member_list_scoped_to_user_subtree(roster, users, zone):
    listed = names(selectors.member_list(user=users.town_admin))
    assert sorted(listed) == sorted(["张三", "钱四", *(m.name for m in zone.b1_members)])


def test_member_list_search_by_pinyin_initials(roster, users):
    assert names(selectors.member_list(user=users.bureau, text="ZS")) == ["张三"]
    assert names(selectors.member_list(user=users.bureau, text="zw")) == ["曾五"]


def test_member_list_search_by_id_tail_and_whole_id(roster, users):
    number = roster["qian"].id_number
    assert names(selectors.member_list(user=users.bureau, text=number[-4:])) == ["钱四"]
    assert names(selectors.member_list(user=users.bureau, text=number.lower())) == ["钱四"]


def test_member_list_search_by_name_prefix(roster, users):
    assert names(selectors.member_list(user=users.bureau, text="钱")) == ["钱四"]


def test_member_list_age_band(roster, users):
    assert roster_names(selectors.member_list(user=users.bureau, age_band="46-60")) == ["钱四"]
    assert roster_names(selectors.member_list(user=users.bureau, age_band="61-")) == ["曾五"]
    assert roster_names(selectors.member_list(user=users.bureau, age_band="-35")) == ["张三"]


def test_member_list_in_pinyin_order(roster, users, zone):
    listed = names(selectors.member_list(user=users.bureau, organisation=zone.wc, text=""))
    assert listed.index("钱四") < listed.index("曾五") < listed.index("张三")


def test_capped_paginator_stops_counting_at_cap(roster, users):
    paginator = CappedPaginator(selectors.member_list(user=users.bureau), 2)
    paginator.cap = 3
    assert paginator.count == 4
    assert paginator.capped is True


def test_masking_keeps_region_and_last_four():
    assert id_number_masked("43010419850309123X") == "430104********123X"
    assert phone_masked("13800138000") == "138****8000"


def test_roster_upload_listing_masks_id_numbers_and_phones_unless_allowed():
    upload = RosterUpload(
        counts={"new": 3, "changed": 1},
        listing={
            "added": [{"row": 4, "name": "张三", "organisation": "东村第2党支部"}],
            "changed": [
                {
                    "row": 5,
                    "name": "李四",
                    "organisation": "东村第2党支部",
                    "changes": [
                        ["id_number", "43011119800101000X", "430111198001010018"],
                        ["phone", "13800138000", ""],
                        ["work_unit", "甲公司", "乙公司"],
                    ],
                }
            ],
        },
    )

    masked = selectors.roster_upload_listing(upload=upload, unmasked=False)
    full = selectors.roster_upload_listing(upload=upload, unmasked=True)

    assert masked["changed"][0]["changes"] == [
        ("公民身份号码", "430111********000X", "430111********0018"),
        ("联系电话", "138****8000", ""),
        ("工作单位", "甲公司", "乙公司"),
    ]
    assert full["changed"][0]["changes"] == [
        ("公民身份号码", "43011119800101000X", "430111198001010018"),
        ("联系电话", "13800138000", ""),
        ("工作单位", "甲公司", "乙公司"),
    ]
    assert (masked["added"], masked["more_added"], masked["more_changed"]) == (upload.listing["added"], 2, 0)
