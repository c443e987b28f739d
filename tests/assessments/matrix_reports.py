"""Permission matrix of the special reports' files (merged into tests/portal/test_permission_matrix.py).

The file of V1's report (a village, under T1) inside and of B3's (a community, under T2) outside; V1 is
not under B1, so B1's administrator gets 404 for it as for anything outside its subtree."""

import datetime

from assessments.enums import ReportResult
from assessments.models import AnnualReport
from core.uploads import upload_check
from tests.uploads import pdf

VIEWS = {"assessments:report_file": ("view", "report")}
READ_ONLY = {"assessments:report_file"}
POST_ONLY = set()
EXTRA_KWARGS = {}
POST_PERMISSION = {}


def objects(zone) -> dict:
    """A report with its scan in V1 and in B3, stored as the service stores it."""
    found = []
    for organisation, reporter in ((zone.v1, zone.b1_members[0]), (zone.b3, zone.b3_members[0])):
        found.append(
            AnnualReport.objects.create(
                organisation=organisation,
                year=2024,
                reported_on=datetime.date(2025, 1, 15),
                reporter=reporter,
                result=ReportResult.GOOD,
                published_on=datetime.date(2025, 1, 20),
                published_where="公开栏",
                attachment=upload_check(pdf("述职报告.pdf")).file,
                attachment_name="述职报告.pdf",
            )
        )
    return {"report": tuple(found)}
