"""Weak organisations (软弱涣散党组织, 三.1(3)): enough of each type named from the bottom each year
(Q-WEAK-VILLAGE, Q-WEAK-COMMUNITY, Q-WEAK-OTHER), each one named under a remedy (Q-WEAK-REMEDY), and
beside the ranking each organisation meeting a criterion of a weak organisation named (Q-WEAK-CRITERIA).

The quota rules judge the zone, so their finding falls on the work committee (Q-WEAK-OTHER once per
type, the type as the aspect): the organisations the bureau named of a type against ceil(share x n)
of the type's organisations active on the day counted (who is ranked: assessments/weak.py), at
least one where the type has any. Naming is a yearly act, judged once the year is over or as soon as
the bureau has confirmed the year's selection (each proposed organisation decided on). A remedy is a
state, checked any time: each organisation named for the year has at least one in place by the day of
the run, which may be after the year (a year's selection is usually made early the next year).
"""

from collections import Counter
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from assessments import weak
from assessments.compliance.base import Check, RunContext, rule
from assessments.compliance.rules_meetings import active_organisations
from assessments.models import RectificationRemedy, WeakSelection
from branches.enums import OrganisationKind, Sector

SENTENCE = (
    "村党组织要按照不低于10%的比例,社区党组织按照不低于5%的比例,倒排确定整顿对象;"
    "其他类型基层党组织按照不低于同类型基层党组织总数5%的比例,倒排确定整顿对象。"
)


def _quota_checks(context: RunContext, types) -> list[Check]:
    """Named organisations of each type against the number the clause requires (three queries)."""
    if not (context.final or weak.weak_year_confirmed(year=context.year)):
        return []
    root = active_organisations(context, kind=OrganisationKind.WORK_COMMITTEE, depth=1).values_list("pk", flat=True)
    root = next(iter(root), None)
    if root is None:
        return []
    population = Counter(r.type for r in weak.weak_population(as_of=context.as_of))
    named = dict(
        WeakSelection.objects.filter(year=context.year, named=True)
        .values_list("type")
        .annotate(n=Count("pk"))
        .values_list("type", "n")
        .order_by()
    )
    checks = []
    for organisation_type in types:
        n = population[organisation_type]
        if not n:
            continue
        required = weak.required_count(n=n, share=weak.type_share(context.values, organisation_type))
        count = named.get(organisation_type, 0)
        aspect = "" if organisation_type in weak.VILLAGE_TYPES else str(organisation_type)
        checks.append(
            Check(
                root,
                None,
                str(context.year),
                Decimal(count),
                Decimal(required),
                count >= required,
                context.last_day,
                aspect,
            )
        )
    return checks


@rule(
    clause="Q-WEAK-VILLAGE",
    title=_("Weak village organisations named from the bottom"),
    sentence=SENTENCE,
    parameters=("weak.village_share",),
    applies_to=_("The zone (finding on the work committee): the top organisation of each village"),
    measures=_(
        "Village organisations the bureau named weak for the year, against the share of all villages "
        "(rounded up, at least one); once the year is over or the bureau has confirmed the selection"
    ),
    evidence_url="assessments:weak_year",
    fix_url="assessments:weak_year",
    with_year=True,
)
def weak_village(context: RunContext):
    return _quota_checks(context, [Sector.VILLAGE])


@rule(
    clause="Q-WEAK-COMMUNITY",
    title=_("Weak community organisations named from the bottom"),
    sentence=SENTENCE,
    parameters=("weak.community_share",),
    applies_to=_("The zone (finding on the work committee): the top organisation of each community"),
    measures=_(
        "Community organisations the bureau named weak for the year, against the share of all communities "
        "(rounded up, at least one); once the year is over or the bureau has confirmed the selection"
    ),
    evidence_url="assessments:weak_year",
    fix_url="assessments:weak_year",
    with_year=True,
)
def weak_community(context: RunContext):
    return _quota_checks(context, [Sector.COMMUNITY])


@rule(
    clause="Q-WEAK-OTHER",
    title=_("Weak organisations of every other type named from the bottom"),
    sentence=SENTENCE,
    parameters=("weak.other_share",),
    applies_to=_(
        "The zone (finding on the work committee, one per type): the unit-level organisations of agencies, "
        "public institutions, SOEs, non-public enterprises, social organisations, schools and incubators"
    ),
    measures=_(
        "Organisations of each type the bureau named weak for the year, against the share of all of the type "
        "(rounded up, at least one); once the year is over or the bureau has confirmed the selection"
    ),
    evidence_url="assessments:weak_year",
    fix_url="assessments:weak_year",
    with_year=True,
)
def weak_other(context: RunContext):
    return _quota_checks(context, weak.OTHER_TYPES)


@rule(
    clause="Q-WEAK-REMEDY",
    title=_("A remedy for each weak organisation"),
    sentence="对经评议认定的软弱涣散党组织,要采取领导挂点、部门帮扶、选派党建指导员或第一书记等方式开展集中整顿",
    parameters=(),
    applies_to=_("Each active organisation the bureau named weak for the year"),
    measures=_(
        "Remedies in place by the day of the run (leader liaison, department support, instructor or first secretary sent), "
        "at least one; a state, checked any time"
    ),
    evidence_url="assessments:weak_year",
    fix_url="assessments:weak_year",
    with_year=True,
)
def weak_remedy(context: RunContext):
    named = WeakSelection.objects.filter(
        year=context.year, named=True, organisation__in=active_organisations(context)
    ).values_list("organisation_id", "pk")
    remedies = dict(
        RectificationRemedy.objects.filter(rectification__selection__year=context.year, started_on__lte=context.today)
        .values_list("rectification__selection_id")
        .annotate(n=Count("pk"))
        .values_list("rectification__selection_id", "n")
        .order_by()
    )
    return [
        Check(
            organisation_id,
            None,
            str(context.year),
            Decimal(remedies.get(pk, 0)),
            Decimal(1),
            remedies.get(pk, 0) >= 1,
            context.as_of,
        )
        for organisation_id, pk in named
    ]


@rule(
    clause="Q-WEAK-CRITERIA",
    title=_("Organisations meeting the criteria of a weak organisation named"),
    sentence="按照软弱涣散基层党组织的界定标准,结合分类定级、晋位升级工作开展软弱涣散党组织整顿工作。",
    parameters=("weak.criteria_secretary_vacant_days", "weak.criteria_days_without_meetings"),
    applies_to=_(
        "Each ranked organisation that meets a criterion on the day counted: its secretary's post vacant, or no "
        "meeting held in it or below it, for more than the number of days"
    ),
    measures=_(
        "Named weak for the year (1) or not (0), beside the bottom-share ranking; once the year is over or the "
        "bureau has confirmed the selection. A grade in 分类定级 is not recorded by the portal and not checked"
    ),
    evidence_url="assessments:weak_year",
    fix_url="assessments:weak_year",
    with_year=True,
)
def weak_criteria_named(context: RunContext):
    """Q-WEAK-CRITERIA: an organisation meeting a criterion is named whatever its rank (weak.weak_criteria)."""
    if not (context.final or weak.weak_year_confirmed(year=context.year)):
        return []
    met = weak.weak_criteria(year=context.year, today=context.today, within=context.within, values=context.values)
    named = set(
        WeakSelection.objects.filter(year=context.year, named=True, organisation_id__in=list(met)).values_list(
            "organisation_id", flat=True
        )
    )
    one, period = Decimal(1), str(context.year)
    return [
        Check(pk, None, period, one if pk in named else Decimal(0), one, pk in named, context.last_day)
        for pk in sorted(met)
    ]
