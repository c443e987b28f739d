"""The numbers of member development (N-DEVELOPMENT), read from the versioned policy parameters
(portal/policy.py) in force on the day a step is taken or judged, like every number the opinion or a
national rule sets.

《中国共产党发展党员工作细则》(2014): an applicant is at least 18 (第五条); the branch talks with an
applicant within one month of the application (第七条: a calendar month, 一个月内, so from 31 January
the talk is due by 28 or 29 February, never "31 days"); activists are reviewed every six months
(第十二条); at least a year as activist before becoming a development target (第十三条); two
introducers (第十七条); the higher party committee approves a branch's admission within three
months (上级党委审批, 细则 第四章); probation is one year (第二十六条) and an extension is at least six
months and at most a year (党章 第七条, 细则 第五章: 延长预备期不能少于半年,最长不超过一年).
"""

import dataclasses
import datetime

from core.policy import PolicyValues, policy_values


@dataclasses.dataclass(frozen=True)
class DevelopmentNorms:
    min_age: int
    talk_within_months: int
    review_every_months: int
    activist_months: int
    introducers: int
    approval_within_months: int
    probation_months: int
    extension_min_months: int
    extension_max_months: int


def development_norms(values: PolicyValues) -> DevelopmentNorms:
    """N-DEVELOPMENT: the numbers of a set of policy values."""
    return DevelopmentNorms(
        **{field.name: values.whole(f"development.{field.name}") for field in dataclasses.fields(DevelopmentNorms)}
    )


def development_norms_on(day: datetime.date) -> DevelopmentNorms:
    """N-DEVELOPMENT: the numbers in force on a day (one query)."""
    return development_norms(policy_values(on=day))


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months later, or the month's last day when it has none (31 January
    + 1 month → 28 or 29 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def probation_end_allowed(*, joined: datetime.date, ends: datetime.date, norms: DevelopmentNorms) -> bool:
    """The end of probation is the end of the probation year, or of an extension of its allowed length."""
    plain = months_after(joined, norms.probation_months)
    earliest = months_after(joined, norms.probation_months + norms.extension_min_months)
    latest = months_after(joined, norms.probation_months + norms.extension_max_months)
    return ends == plain or earliest <= ends <= latest
