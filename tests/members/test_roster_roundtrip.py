"""Issue 17: the roster round-trips. The member list exports in the import template's layout (the
national collection form's member fields, the same headers), so a file exported and imported again
unchanged reports every row as unchanged; on the demo zone, with its real variety of members."""

import pytest

from branches.models import Organisation
from core.enums import Role
from devtools import demo
from members import imports, roster
from members.models import Member, RosterUpload
from members.selectors import member_list
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_exported_roster_imports_again_as_all_unchanged():
    demo.demo_zone_build(seed=17, members=600)
    bureau = UserFactory(role=Role.BUREAU)
    root = Organisation.objects.get(depth=1)
    members = member_list(user=bureau)  # the bureau's list of the whole zone, as the page exports it
    count = members.count()
    content = imports.members_export_xlsx(members=members, unmasked=True)

    assert next(imports.roster_read(name="党员名册.xlsx", content=content)) == roster.TEMPLATE_HEADERS
    upload = imports.roster_upload_preview(content=content, file_name="党员名册.xlsx", organisation=root, user=bureau)

    assert upload.state == RosterUpload.State.CHECKED, upload.failure
    assert upload.counts == {"new": 0, "changed": 0, "unchanged": count, "rejected": 0}
    assert count == Member.objects.filter(status="active").count() == 600
