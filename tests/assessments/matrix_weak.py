"""Permission matrix of the weak-organisation pages (merged into tests/portal/test_permission_matrix.py).

The selection pages take a WeakSelection: V1's (a village, under T1) inside and B3's (a community,
under T2) outside. V1 is not under B1, so B1's administrator gets 404 for it as for anything outside
its subtree."""

from assessments import weak
from assessments.models import WeakSelection
from tests.factories import UserFactory

VIEWS = {
    "assessments:weak_year": ("view", "org"),
    "assessments:weak_propose": ("bureau", None),
    "assessments:weak_rectification": ("view", "selection"),
    "assessments:weak_decide": ("bureau", "selection"),
    "assessments:weak_remedy": ("bureau", "selection"),
    "assessments:weak_note": ("edit", "selection"),
    "assessments:weak_verdict": ("bureau", "selection"),
}
READ_ONLY = {"assessments:weak_year", "assessments:weak_rectification"}
POST_ONLY = set()
EXTRA_KWARGS = {"assessments:weak_year": {"year": 2024}, "assessments:weak_propose": {"year": 2024}}
POST_PERMISSION = {}


def objects(zone) -> dict:
    """The 2024 proposal made and V1 and B3 named weak, through the services."""
    bureau = UserFactory(role="bureau")
    weak.weak_proposal_make(year=2024, user=bureau)
    found = []
    for organisation in (zone.v1, zone.b3):
        selection = WeakSelection.objects.select_related("organisation").get(year=2024, organisation=organisation)
        weak.weak_selection_decide(selection=selection, named=True, reason="排名靠后", user=bureau)
        found.append(selection)
    return {"selection": tuple(found)}
