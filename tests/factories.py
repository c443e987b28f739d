"""Test data in one place: organisations through the services (so paths are real), members and accounts."""

import datetime
import itertools

import factory

from branches import services
from branches.enums import OrganisationKind
from core.enums import Role
from core.idcard import id_make
from core.models import User
from members.enums import Gender
from members.models import Member

PASSWORD = "Test@2015pw"
_codes = itertools.count(1)


def make_org(parent, kind, *, sector="", name=None, code=None, **fields):
    code = code or f"T{next(_codes):06d}"
    data = {"code": code, "name": name or f"组织{code}", "kind": kind, "sector": sector, **fields}
    return services.organisation_create(parent=parent, data=data)


def make_work_committee():
    return make_org(None, OrganisationKind.WORK_COMMITTEE, name="中共测试高新区工作委员会", code="WC")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"党员{n}")
    gender = Gender.MALE
    # Born 1980-1986 whatever the number of members made so far, so that joining on 2005-07-01 is at 18 or
    # over; with the ID sequence (n % 500) a birth date and sequence pair repeats only every 12,000 members.
    birth_date = factory.Sequence(lambda n: datetime.date(1980, 1, 1) + datetime.timedelta(days=n % 2400))
    id_number = factory.LazyAttributeSequence(
        lambda o, n: id_make(area="430104", born=o.birth_date, sequence=n % 500, male=o.gender == Gender.MALE)
    )
    joined_on = datetime.date(2005, 7, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.ORG_ADMIN
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()
