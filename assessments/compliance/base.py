"""What a compliance rule is made of: the `Check`s it yields, its catalogue entry (`Rule`, registered
with `@rule`), and the `RunContext` it reads the year through. The rules (`rules_*.py`) import only this;
the engine and the catalogue sit above them, so nothing here imports a rule or the engine."""

import calendar
import dataclasses
import datetime
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.utils.functional import Promise

from core.policy import PolicyValues


class Check(NamedTuple):
    """One subject checked by a rule for a period. `member_id` is None for an organisation's duty."""

    organisation_id: int
    member_id: int | None
    period: str
    measured: Decimal
    required: Decimal
    passed: bool
    due_on: datetime.date
    aspect: str = ""  # what within the rule (a kind of meeting…), part of the finding's identity


@dataclasses.dataclass(frozen=True)
class Rule:
    clause: str
    title: str | Promise
    sentence: str  # the opinion's own words (or the national rule's), quoted
    parameters: tuple[str, ...]
    applies_to: str | Promise
    measures: str | Promise
    evaluate: Callable[["RunContext"], Iterable[Check]]
    # The page of the records that prove a finding, and the form that fixes it: URL names taking
    # the organisation's pk (and the year where `with_year`).
    evidence_url: str = "branches:detail"
    fix_url: str = ""
    with_year: bool = False
    subject: str = "organisation"  # or "member"
    source: str | Promise = ""  # for N-* rules: the national rule the numbers come from


RULES: dict[str, Rule] = {}


def rule(**fields):
    """Register a rule: decorates its evaluate function."""

    def register(evaluate):
        found = Rule(evaluate=evaluate, **fields)
        if found.clause in RULES:
            raise ValueError(f"Two rules for {found.clause}")
        RULES[found.clause] = found
        return evaluate

    return register


@dataclasses.dataclass
class RunContext:
    year: int
    today: datetime.date
    values: PolicyValues
    # A recheck's subtree (an organisation's path), "" in a run. A rule may narrow what it reads to
    # it (`scoped`); the engine keeps only the checks of organisations inside it whatever the rule read.
    within: str = ""

    def scoped(self, queryset, field: str = "organisation__path"):
        """The queryset narrowed to the recheck's subtree by the path at `field`; as it is in a run.
        A rule narrows only what cannot change a verdict inside the subtree (a per-save recheck then
        reads the subtree's rows, not the zone's)."""
        if not self.within:
            return queryset
        return queryset.filter(**{f"{field}__startswith": self.within})

    def cached(self, name: str, make: Callable[[], object]):
        """What the rules of one evaluation share (the year's meetings, the study hours), made once and
        kept on the context under its name and subtree, so a context narrowed later never reads the
        whole zone's."""
        key = f"_cache:{name}:{self.within}"
        if key not in self.__dict__:
            self.__dict__[key] = make()
        return self.__dict__[key]

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def last_day(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)

    @property
    def as_of(self) -> datetime.date:
        """The last day whose records count: today during the year, 31 December after it."""
        return min(self.today, self.last_day)

    @property
    def final(self) -> bool:
        """The year is over: every verdict is final."""
        return self.today > self.last_day

    @property
    def share_of_year(self) -> Decimal:
        """How much of the year has gone by (1 once it is over): quantities are due pro rata."""
        if self.final:
            return Decimal(1)
        days = 366 if calendar.isleap(self.year) else 365
        return Decimal((self.as_of - self.first_day).days + 1) / days

    def pro_rata(self, amount: Decimal) -> Decimal:
        """What is due by now of a yearly amount, to one decimal, half up."""
        return (Decimal(amount) * self.share_of_year).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def periods(self, period: str) -> list[tuple[str, datetime.date, datetime.date]]:
        """The year's months ("2026-03"), quarters ("2026-Q1") or the year ("2026") that are over."""
        if period == "month":
            spans = [(f"{self.year}-{m:02d}", m, m) for m in range(1, 13)]
        elif period == "quarter":
            spans = [(f"{self.year}-Q{q}", 3 * q - 2, 3 * q) for q in range(1, 5)]
        else:
            spans = [(str(self.year), 1, 12)]
        over = []
        for label, first, last in spans:
            end = datetime.date(self.year, last, calendar.monthrange(self.year, last)[1])
            if end < self.today:
                over.append((label, datetime.date(self.year, first, 1), end))
        return over
