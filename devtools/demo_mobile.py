"""Mobile members of the demo zone (issue 18, S-MOBILE, N-MOBILE), as a real zone has them.

About 3 % of the members have gone to work elsewhere without transferring: a third of them take part
in a branch inside the zone (some of those pay their dues there by agreement), the others report to a
party organisation outside it and carry a 流动党员活动证 number. About 1 % more come from outside the
zone and take part in one of its branches. Their home branches log contacts over the last two years,
every one to four months; about one in eight has not been reached for more than six months (a few of
those with the branch's decision on record), and about one in five has come back.

Drawn from one generator seeded by the seed, members in key order, so the same seed gives the same
records on the same zone. Rows go in with `bulk_create` (no per-row audit entry: `seed_demo` logs the
build as one operation). The demo village branch (login branch1) gets its own through the services, as
a secretary would record them: one member lost contact (a duty on its home page), one reached monthly
at a branch of the zone where the member pays dues, one returned, and one member from outside.
"""

import datetime
import random

from django.db.models import Q

from branches.enums import OrganisationKind
from branches.models import Organisation
from core.idcard import id_make
from members import mobile
from members.enums import ContactMeans, LostContactDecision, MemberStatus
from members.models import Member, MobileContact, MobileRecord

OUTFLOW_SHARE = 0.03
INFLOW_SHARE = 0.01
INSIDE_SHARE = 0.33  # of the out-flow: a branch of the zone receives them
LOST_SHARE = 0.12
RETURNED_SHARE = 0.2
DUES_THERE_SHARE = 0.4  # of those received inside the zone: dues paid there by agreement
DECIDED_SHARE = 0.3  # of the lost: the branch recorded its decision (to keep looking)
CONTACT_YEARS = 2
BATCH = 5000

# (where, the receiving organisation there, the province's short name on the activity card, area code)
DESTINATIONS = [
    ("广东省深圳市南山区", "中共深圳市南山区流动党员第一支部委员会", "粤", "440305"),
    ("广东省广州市天河区", "中共广州市天河区流动党员服务中心支部委员会", "粤", "440106"),
    ("广东省东莞市", "中共东莞市长安镇流动党员党支部", "粤", "441900"),
    ("浙江省杭州市西湖区", "中共杭州市西湖区新业态流动党员支部委员会", "浙", "330106"),
    ("上海市浦东新区", "中共上海市浦东新区陆家嘴流动党员党支部", "沪", "310115"),
    ("北京市海淀区", "中共北京市海淀区中关村流动党员党支部", "京", "110108"),
    ("江苏省苏州市工业园区", "中共苏州工业园区流动党员党支部", "苏", "320571"),
    ("湖北省武汉市洪山区", "中共武汉市洪山区流动党员党支部", "鄂", "420111"),
    ("福建省厦门市思明区", "中共厦门市思明区流动党员党支部", "闽", "350203"),
    ("四川省成都市高新区", "中共成都高新区流动党员党支部", "川", "510107"),
]
REASONS = ["外出务工", "外出务工", "外出务工", "经商", "随迁", "求学", "项目派驻"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚华玉萍红鹏志文斌海燕东春梅新宇"
NOTES = ["电话联系,工作稳定", "微信视频,参加所在地组织生活", "走访家属,了解近况", "寄送学习资料", ""]
MEANS = [ContactMeans.PHONE, ContactMeans.PHONE, ContactMeans.MESSAGE, ContactMeans.VISIT, ContactMeans.LETTER]


def mobile_demo(*, seed: int, today: datetime.date, skip_organisation_ids=()) -> dict:
    """The zone's mobile records and their contacts; `skip_organisation_ids` (the demo branch) keep
    theirs for the services. Returns the counts by kind."""
    rng = random.Random(f"{seed}:mobile")
    skip = set(skip_organisation_ids)
    months = mobile.lost_contact_months(today)
    receivers = list(
        Organisation.objects.filter(
            kind__in=(OrganisationKind.BRANCH, OrganisationKind.JOINT_BRANCH), member_count__gt=0
        )
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=today))
        .exclude(pk__in=skip)
        .order_by("path")
        .values_list("pk", "path", "name")
    )
    if not receivers:
        return {}
    paths = dict(Organisation.objects.values_list("pk", "path"))
    members = (
        Member.objects.filter(status=MemberStatus.ACTIVE)
        .exclude(organisation_id__in=skip)
        .order_by("pk")
        .values_list("pk", "organisation_id", "name", "id_number", "phone")
    )
    records, plans = [], []
    card = 0
    for pk, organisation_id, name, id_number, phone in members.iterator(chunk_size=20_000):
        if rng.random() >= OUTFLOW_SHARE:
            continue
        since = today - datetime.timedelta(days=rng.randint(60, 900))
        record = MobileRecord(
            member_id=pk,
            name=name,
            id_number=id_number,
            home_organisation_id=organisation_id,
            reason=rng.choice(REASONS),
            phone=phone,
            since=since,
        )
        home = paths[organisation_id]
        if rng.random() < INSIDE_SHARE:
            receiving_id, receiving_path, receiving_name = rng.choice(receivers)
            if receiving_path.startswith(home[:8]) or home.startswith(receiving_path):
                receiving_id, receiving_path, receiving_name = rng.choice(receivers)
            if receiving_path.startswith(home) or home.startswith(receiving_path):
                continue
            record.receiving_organisation_id, record.place = receiving_id, f"长沙高新区 {receiving_name}"
            if rng.random() < DUES_THERE_SHARE:
                record.dues_to_receiving = True
                record.dues_agreement = f"流动党员党费收缴协议 {since.year}-{rng.randint(1, 99):02d}"
        else:
            place, organisation_name, province, _area = rng.choice(DESTINATIONS)
            card += 1
            record.place, record.receiving_organisation_name = place, organisation_name
            record.activity_card_number = f"湘高流{since.year}{card:05d}"
        plans.append(_plan(rng, record, today, months=months))
        records.append(record)
    used = set(Member.objects.values_list("id_number", flat=True)) if records else set()
    inflow = []
    for i in range(round(len(records) * INFLOW_SHARE / OUTFLOW_SHARE)):
        place, organisation_name, province, area = rng.choice(DESTINATIONS)
        receiving_id, _path, receiving_name = rng.choice(receivers)
        born = today - datetime.timedelta(days=rng.randint(22 * 365, 58 * 365))
        number = id_make(area=area, born=born, sequence=rng.randint(250, 499), male=rng.random() < 0.6)
        if number in used:
            continue
        used.add(number)
        since = today - datetime.timedelta(days=rng.randint(30, 900))
        record = MobileRecord(
            name=rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.5 else ""),
            id_number=number,
            home_organisation_name=organisation_name.replace("流动党员", ""),
            receiving_organisation_id=receiving_id,
            place=f"长沙高新区 {receiving_name}",
            reason="外出务工",
            phone=f"13{rng.randint(100000000, 999999999)}",
            activity_card_number=f"{province}流{since.year}{i + 1:05d}",
            since=since,
        )
        plans.append(_plan(rng, record, today, months=months, inflow=True))
        inflow.append(record)
    records += inflow
    for start in range(0, len(records), BATCH):
        MobileRecord.objects.bulk_create(records[start : start + BATCH])
    mobile.mobile_towns_fill()  # the towns above each record, from the tree, in one UPDATE
    contacts = [
        MobileContact(record_id=record.pk, contacted_on=day, means=means, notes=notes)
        for record, (days, _returned, _decided) in zip(records, plans, strict=True)
        for day, means, notes in days
    ]
    for start in range(0, len(contacts), BATCH):
        MobileContact.objects.bulk_create(contacts[start : start + BATCH])
    counts = {"outflow_inside": 0, "outflow_outside": 0, "inflow": len(inflow), "returned": 0, "lost": 0}
    cutoff = mobile.lost_contact_before(today)
    for record in records:
        if record.member_id is not None:
            counts["outflow_inside" if record.receiving_organisation_id else "outflow_outside"] += 1
        counts["returned"] += record.returned_on is not None
        reached = record.last_contact_on or record.since
        counts["lost"] += bool(
            record.member_id and record.returned_on is None and not record.decision and reached <= cutoff
        )
    counts["decided"] = sum(bool(r.decision) for r in records)
    counts["contacts"] = len(contacts)
    return counts


def _plan(rng: random.Random, record: MobileRecord, today: datetime.date, *, months: int, inflow: bool = False):
    """The record's contacts over the last two years, its return or its lost contact (and decision);
    sets `returned_on`, `last_contact_on` and the decision on the record."""
    away_days = (today - record.since).days
    returned = None
    if not inflow and away_days > 200 and rng.random() < RETURNED_SHARE:
        returned = record.since + datetime.timedelta(days=rng.randint(180, away_days - 1))
    lost = returned is None and rng.random() < LOST_SHARE and away_days > 200
    end = returned or today
    if lost:  # the contacts stopped more than the lost-contact months ago (or never began)
        end = min(end, today - datetime.timedelta(days=rng.randint(31 * months + 5, 31 * months + 230)))
    first = max(record.since, today - datetime.timedelta(days=365 * CONTACT_YEARS))
    day = first + datetime.timedelta(days=rng.randint(7, 45))
    days = []
    while day <= end:
        days.append((day, rng.choice(MEANS), rng.choice(NOTES)))
        day += datetime.timedelta(days=rng.randint(30, 120))
    if not lost and returned is None and days and (today - days[-1][0]).days > 150:
        # still in touch: the last call is recent
        extra = today - datetime.timedelta(days=rng.randint(3, 60))
        if extra > days[-1][0]:
            days.append((extra, ContactMeans.PHONE, "电话联系,工作稳定"))
    record.returned_on = returned
    record.last_contact_on = days[-1][0] if days else None
    decided = None
    if lost and not inflow and rng.random() < DECIDED_SHARE:
        reached = record.last_contact_on or record.since
        lost_from = mobile.months_after(reached, months)
        if lost_from < today:
            decided = lost_from + datetime.timedelta(days=rng.randint(0, max(0, (today - lost_from).days)))
            record.decision, record.decided_on = LostContactDecision.KEEP_LOOKING, decided
            record.decision_notes = "继续通过家属和务工地党组织查找"
    return days, returned, decided


def mobile_demo_branch(*, organisation: Organisation, receiving: Organisation, today: datetime.date) -> int:
    """The demo village branch's own mobile members, written through the services: one lost contact,
    one reached monthly in a branch of the zone (dues paid there by agreement), one returned, one from
    outside the zone. Returns how many records."""
    members = list(Member.objects.filter(organisation=organisation, status=MemberStatus.ACTIVE).order_by("-pk")[:3])
    if len(members) < 3:
        return 0
    lost, reached, back = members
    record = mobile.mobile_outflow_record(
        member=lost,
        since=today - datetime.timedelta(days=400),
        place="广东省深圳市南山区",
        reason="外出务工",
        activity_card_number=f"湘高流{today.year - 1}00001",
        receiving_organisation_name="中共深圳市南山区流动党员第一支部委员会",
    )
    for days_ago in (370, 300, 250):
        mobile.mobile_contact_record(
            record=record, contacted_on=today - datetime.timedelta(days=days_ago), means=ContactMeans.PHONE
        )
    record = mobile.mobile_outflow_record(
        member=reached,
        since=today - datetime.timedelta(days=300),
        place=f"长沙高新区 {receiving.name}",
        reason="外出务工",
        receiving_organisation=receiving,
    )
    for days_ago in range(280, 0, -30):
        mobile.mobile_contact_record(
            record=record,
            contacted_on=today - datetime.timedelta(days=days_ago),
            means=ContactMeans.MESSAGE,
            notes="参加所在支部主题党日",
        )
    mobile.mobile_dues_arrangement_record(
        record=record, to_receiving=True, agreement=f"流动党员党费收缴协议 {today.year}-01"
    )
    record = mobile.mobile_outflow_record(
        member=back,
        since=today - datetime.timedelta(days=500),
        place="浙江省杭州市西湖区",
        reason="经商",
        activity_card_number=f"湘高流{today.year - 2}00007",
        receiving_organisation_name="中共杭州市西湖区新业态流动党员支部委员会",
    )
    mobile.mobile_contact_record(
        record=record, contacted_on=today - datetime.timedelta(days=400), means=ContactMeans.VISIT
    )
    mobile.mobile_return_record(record=record, on=today - datetime.timedelta(days=100))
    mobile.mobile_inflow_record(
        receiving_organisation=organisation,
        name="邓志文",
        id_number=id_make(area="440305", born=datetime.date(1988, 3, 14), sequence=305, male=True),
        home_organisation_name="中共深圳市南山区粤海街道某社区党支部",
        since=today - datetime.timedelta(days=200),
        place="",
        activity_card_number=f"粤流{today.year - 1}00421",
    )
    return 4
