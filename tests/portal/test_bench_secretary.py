"""Issue 12's benchmark (`manage.py bench secretary_year`): registered, and its plan, computed from the
norms in force, covers every period a village branch and its party groups are held to. Not timed."""

import datetime

import pytest

from assessments.enums import MeetingKind
from devtools import benchmarks
from devtools.bench_secretary import GROUPS, plan_coverage, secretary_year_plan

pytestmark = pytest.mark.django_db


def test_secretary_year_is_registered_with_its_own_database():
    entry = benchmarks.BENCHMARKS["secretary_year"]

    assert entry.database == f"{benchmarks.BENCH_DATABASE}_secretary"


def test_secretary_year_plan_covers_every_period():
    year = datetime.date.today().year - 1

    steps = secretary_year_plan(year=year)

    assert plan_coverage(steps=steps, year=year) == {}


def test_secretary_year_plan_stays_within_the_targets():
    year = datetime.date.today().year - 1

    steps = secretary_year_plan(year=year)

    secretary = [s for s in steps if s.actor == "secretary"]
    groups = [s for s in steps if s.actor.startswith("group:")]
    assert len(secretary) <= 60
    assert len(groups) == 12 * GROUPS
    assert sum(1 for s in secretary if s.form in ("evaluation", "report", "dues_bases")) == 3
    assert sum(1 for s in secretary if s.form == "dues_collect") == 4


def test_secretary_year_plan_counts_themed_days_as_the_quarters_lectures_and_general_meetings():
    year = datetime.date.today().year - 1

    steps = secretary_year_plan(year=year)

    themed = [s for s in steps if s.form == "meeting" and s.data["kind"] == MeetingKind.THEMED_DAY]
    carrying = [s.data["held_on"].month for s in themed if s.data["also"]]
    assert carrying == [1, 4, 7, 10]
    assert not [
        s for s in steps if s.form == "meeting" and s.data["kind"] in (MeetingKind.LECTURE, MeetingKind.GENERAL)
    ]
