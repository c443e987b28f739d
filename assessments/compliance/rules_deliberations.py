"""Q-FOUR-DELIBERATIONS (四议两公开, 二.2): every major village matter recorded goes through the six
steps in order (the service refuses a step out of order, `village_matter_step`), and none stalls.

A step is due a number of days after the one before it: `deliberations.stall_days` for each step up
to the resolution made public, `deliberations.result_days` for the result made public after it. A
matter is stalled when its next step is past its deadline on the day counted (doing the step late
resolves the finding of the current year; a year that is over keeps the state of its last day). Each village organisation with matters in play in
the year (proposed by the day counted, and not finished before the year began) is checked: matters
not stalled against all of them. A state, checked any time with the year as the period."""

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from assessments.compliance.base import Check, RunContext, rule
from assessments.enums import DeliberationStep
from assessments.models import MatterStep
from assessments.selectors import matter_stalled_on

SENTENCE = (
    "全面落实“四议两公开”,村级重大事项以及与多数群众利益密切相关的重要问题,都要在村党组织领导下,按照党组织提议、"
    "村“两委”会商议、党员大会审议、村民代表会议或村民会议决议的程序进行决策,决议的内容和实施结果向全体村民公开。"
)


@rule(
    clause="Q-FOUR-DELIBERATIONS",
    title=_("Four deliberations and two publications of village matters"),
    sentence=SENTENCE,
    parameters=("deliberations.stall_days", "deliberations.result_days"),
    applies_to=_("Every village organisation with major matters on record in the year"),
    measures=_(
        "Matters in play in the year (proposed by the day counted, not finished before the year) none of whose "
        "steps was overdue on a day of the year, against all of them; each step is due a number of days after "
        "the one before it"
    ),
    evidence_url="assessments:deliberations",
    fix_url="assessments:deliberations",
)
def four_deliberations(context: RunContext):
    """Q-FOUR-DELIBERATIONS: one query over the steps of the matters in play."""
    steps = context.scoped(
        MatterStep.objects.filter(done_on__lte=context.as_of), field="matter__organisation__path"
    ).values_list("matter_id", "matter__organisation_id", "step", "done_on")
    matters, owner = defaultdict(dict), {}
    for matter_id, organisation_id, step, day in steps.order_by():
        matters[matter_id][step] = day
        owner[matter_id] = organisation_id
    counted, fine, due = defaultdict(int), defaultdict(int), {}
    for matter_id, done in matters.items():
        finished = done.get(DeliberationStep.RESULT_PUBLISHED)
        if finished is not None and finished < context.first_day:
            continue
        organisation_id = owner[matter_id]
        counted[organisation_id] += 1
        stalled = matter_stalled_on(steps=done, values=context.values, as_of=context.as_of)
        if stalled is None:
            fine[organisation_id] += 1
        else:
            due[organisation_id] = min(stalled, due.get(organisation_id, stalled))
    period = str(context.year)
    return [
        Check(
            organisation_id,
            None,
            period,
            Decimal(fine[organisation_id]),
            Decimal(n),
            fine[organisation_id] >= n,
            due.get(organisation_id, context.last_day),
        )
        for organisation_id, n in sorted(counted.items())
    ]
