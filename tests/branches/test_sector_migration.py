"""S-SECTOR split (issue 14): the data migration that turns the old joint town / street sector into two."""

import importlib

import pytest
from django.apps import apps

from branches.enums import OrganisationKind as K
from branches.enums import Sector
from branches.models import Organisation
from tests.factories import make_org

pytestmark = pytest.mark.django_db
migration = importlib.import_module("branches.migrations.0003_sector_town_street")


def test_streets_become_streets_with_their_own_organisations_and_towns_stay_towns(zone):
    """ "镇、街" and "乡镇(街道)" name two kinds of place; "在乡镇推行党代会年会制" is the towns': an organisation of the
    old joint sector named as a street (街道), and the town-sector organisations under it, become streets."""
    office = make_org(zone.t1, K.BRANCH, sector=Sector.TOWN, code="T1B", name="麓谷街道机关第1党支部")
    unnamed = make_org(zone.t1, K.GENERAL_BRANCH, sector=Sector.TOWN, code="T1G", name="机关总支部")
    town = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.TOWN, code="T3", name="中共莲花镇委员会")
    town_office = make_org(town, K.BRANCH, sector=Sector.TOWN, code="T3B", name="莲花镇机关第1党支部")
    Organisation.objects.filter(sector=Sector.STREET).update(sector=Sector.TOWN)  # as before the split
    migration.forwards(apps, None)
    sectors = dict(Organisation.objects.values_list("code", "sector"))
    assert [sectors[o.code] for o in (zone.t1, zone.t2, office, unnamed, town, town_office)] == [
        Sector.STREET,
        Sector.STREET,
        Sector.STREET,
        Sector.STREET,
        Sector.TOWN,
        Sector.TOWN,
    ]
    assert sectors[zone.v1.code] == Sector.VILLAGE
    migration.backwards(apps, None)
    assert not Organisation.objects.filter(sector=Sector.STREET).exists()
