"""N-DEVELOPMENT: the time limits and conditions of 《中国共产党发展党员工作细则》(2014) that a
candidacy's own fields record, with the numbers of `members.development` (one home for them).

A finding is the organisation's (the candidate's branch), one per candidate and step, the step in
the aspect ("<candidate pk>:<step>"). Candidates count while in the pipeline on the day counted
(applied, neither withdrawn nor admitted by then); the admission steps count the year's admitted.

- age (第五条): at least 18 on the application day; judged in the year of the application;
- talk (第七条): talked with within one month of the application; judged in the year the month
  ends, once it has ended; a talk held later is still late;
- review (第十二条): an activist's last review no more than six months old on the day counted (only
  the last review is recorded, so this is a state, checked any time; a review recorded after the
  day counted hides the one before it, and the activist is not judged);
- target (第十三条): at least a year as an activist before becoming a development target; judged in
  the year of becoming one;
- introducers (第十七条): two introducers on record; judged in the year of admission;
- approval (上级党委审批): the higher party committee approves the admission within three months;
  judged in the year the limit ends, once it has ended; an approval recorded later is still late.

Every number is a policy parameter of the year (`members.development_norms`); "within one month" and
"three months" are calendar months (31 January + 1 month = 28/29 February), not 31 or 90 days.

Measured and required are days (years of age for "age", people for "introducers"); a talk not yet
held measures the days to the day after the day counted, its soonest."""

import datetime
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from assessments.compliance.base import Check, RunContext, rule
from assessments.compliance.rules_meetings import active_organisations
from members.development_norms import DevelopmentNorms, development_norms, months_after
from members.models import Candidate
from members.services import years_after


def _age_on(born: datetime.date, day: datetime.date) -> int:
    """Whole years of age on a day, counted as `years_after` counts them (29 February → 28th)."""
    years = day.year - born.year
    return years - 1 if years_after(born, years) > day else years


def _days(first: datetime.date, last: datetime.date) -> Decimal:
    return Decimal((last - first).days)


@rule(
    clause="N-DEVELOPMENT",
    title=_("Time limits of member development"),
    sentence="年满十八岁的……可以申请加入中国共产党(第五条);党组织收到入党申请书后,应当在一个月内派人同入党申请人谈话(第七条);"
    "党支部每半年对入党积极分子进行一次考察(第十二条);对经过一年以上培养教育和考察、基本具备党员条件的入党积极分子……"
    "可列为发展对象(第十三条);发展党员,必须有两名正式党员作入党介绍人(第十七条);"
    "上级党委应当在收到党支部接收预备党员的决议后三个月内审批",
    parameters=(
        "development.min_age",
        "development.talk_within_months",
        "development.review_every_months",
        "development.activist_months",
        "development.introducers",
        "development.approval_within_months",
    ),
    applies_to=_("Every candidate in the development pipeline on the day counted, and those admitted this year"),
    measures=_(
        "Per candidate and step: age on application, days from application to the talk, days since the last "
        "review of an activist, days as activist before becoming a development target, introducers of those "
        "admitted, days from the admission to the higher committee's approval"
    ),
    evidence_url="members:pipeline",
    source=_("Rules on developing party members (2014)"),
)
def development(context: RunContext):
    """N-DEVELOPMENT: each step judged once, in the year it falls due (the review: while it is overdue)."""
    first, as_of = context.first_day, context.as_of
    norms = development_norms(context.values)
    # An admission of last year's last months has its approval limit in this year.
    admitted_from = months_after(first, -norms.approval_within_months)
    candidates = (
        Candidate.objects.filter(organisation__in=active_organisations(context), applied_on__lte=as_of)
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=as_of))
        .filter(Q(admitted_on__isnull=True) | Q(admitted_on__gte=admitted_from))
        .order_by()
        .values_list(
            "pk",
            "organisation_id",
            "birth_date",
            "applied_on",
            "talked_on",
            "activist_on",
            "reviewed_on",
            "target_on",
            "admitted_on",
            "approved_on",
        )
    )
    introduced = dict(
        Candidate.introducers.through.objects.filter(
            candidate__admitted_on__gte=first, candidate__admitted_on__lte=as_of
        )
        .values_list("candidate_id")
        .annotate(n=Count("member_id"))
        .order_by()
    )
    period = str(context.year)
    return [
        Check(organisation_id, None, period, Decimal(measured), Decimal(required), passed, due, f"{pk}:{step}")
        for pk, organisation_id, *dates in candidates
        for step, measured, required, passed, due in _steps(
            context, *dates, introducers=introduced.get(pk, 0), norms=norms
        )
    ]


def _steps(
    context: RunContext,
    born,
    applied,
    talked,
    activist,
    reviewed,
    target,
    admitted,
    approved,
    *,
    introducers: int,
    norms: DevelopmentNorms,
):
    """(step, measured, required, passed, due on) of one candidate's steps judged in the run."""
    first, as_of = context.first_day, context.as_of
    in_pipeline = admitted is None or admitted > as_of
    if applied >= first:
        min_age = norms.min_age
        yield "age", _age_on(born, applied), min_age, applied >= years_after(born, min_age), applied
    talk_by = months_after(applied, norms.talk_within_months)
    if in_pipeline and talk_by.year == context.year and talk_by < context.today:
        if talked is None:  # not held by the day counted: at the soonest the day after
            yield "talk", _days(applied, as_of) + 1, _days(applied, talk_by), False, talk_by
        else:
            yield "talk", _days(applied, talked), _days(applied, talk_by), talked <= talk_by, talk_by
    is_activist = activist is not None and activist <= as_of and (target is None or target > as_of)
    if in_pipeline and is_activist and (reviewed is None or reviewed <= as_of):
        last = reviewed or activist
        review_by = months_after(last, norms.review_every_months)
        yield "review", _days(last, as_of), _days(last, review_by), as_of <= review_by, review_by
    if target is not None and first <= target <= as_of:
        if activist is None:
            yield "target", 0, 1, False, target
        else:
            earliest = months_after(activist, norms.activist_months)
            yield "target", _days(activist, target), _days(activist, earliest), target >= earliest, target
    if admitted is not None and first <= admitted <= as_of:
        yield "introducers", introducers, norms.introducers, introducers >= norms.introducers, admitted
    if admitted is not None:
        approve_by = months_after(admitted, norms.approval_within_months)
        if approve_by.year == context.year and approve_by < context.today:
            if approved is None or approved > as_of:  # not approved by the day counted: at the soonest the day after
                yield "approval", _days(admitted, as_of) + 1, _days(admitted, approve_by), False, approve_by
            else:
                yield (
                    "approval",
                    _days(admitted, approved),
                    _days(admitted, approve_by),
                    approved <= approve_by,
                    approve_by,
                )
