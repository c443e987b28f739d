"""Issue 13 in a real browser: the reported attack (a branch secretary's `photo.html`, PNG's signature
followed by a script, opened by the bureau) runs no script, whether it is uploaded now or was stored
under the uploader's name before the fix."""

import datetime

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from assessments import services as assessment_services
from assessments.enums import SixStandard, VenueKind
from assessments.models import VenueCheck
from tests.uploads import image_bytes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def attack_page(script_url: str) -> bytes:
    """The page of the report: PNG's signature, then HTML loading a script from the portal itself (a
    second upload), so that a policy of `script-src 'self'` would let it through."""
    return PNG_SIGNATURE + f'<html><body><script src="{script_url}"></script></body></html>'.encode()


SCRIPT = b"document.title = 'script ran'; alert('script ran');"


@pytest.fixture
def dialogs(page):
    found = []
    page.on("dialog", lambda dialog: (found.append(dialog.message), dialog.dismiss()))
    return found


def test_bureau_opening_venue_photos_runs_no_script(zone, users, login, page, dialogs):
    venue = assessment_services.venue_create(
        organisation=zone.b1, data={"kind": VenueKind.ACTIVITY_VENUE, "name": "东村党员活动室", "address": "村部"}
    )
    # Stored before the fix under the uploader's names: a script and the page that loads it.
    day = datetime.date(2024, 5, 6)
    script = VenueCheck(venue=venue, standard=SixStandard.SIGN, is_met=True, checked_on=day)
    script.photo.save("flag.js", ContentFile(SCRIPT), save=True)
    attack = attack_page(f"/assessments/venues/photos/{script.pk}/")
    legacy = VenueCheck(venue=venue, standard=SixStandard.FACILITIES, is_met=True, checked_on=day)
    legacy.photo.save("photo.html", ContentFile(attack), save=True)

    # The branch secretary uploads the same page today, and a real photo with the script appended.
    login(users.branch_admin)
    page.goto(f"/assessments/venues/v/{venue.pk}/standards/")
    page.locator(f"input[name=photo_{SixStandard.PLACE}]").set_input_files(
        files=[{"name": "photo.html", "mimeType": "text/html", "buffer": attack}]
    )
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-danger")).to_have_text("photo.html不是JPEG或PNG照片。")
    page.locator(f"input[name=photo_{SixStandard.PLACE}]").set_input_files(
        files=[{"name": "photo.html", "mimeType": "text/html", "buffer": image_bytes("PNG", size=(40, 30)) + attack}]
    )
    page.locator(f"input[name=met_{SixStandard.PLACE}]").check()
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/assessments/venues/v/{venue.pk}/")
    photo = VenueCheck.objects.get(standard=SixStandard.PLACE)

    # The bureau opens them.
    page.context.clear_cookies()
    login(users.bureau)
    response = page.goto(f"/assessments/venues/photos/{photo.pk}/")
    assert (response.headers["content-type"], response.headers["x-content-type-options"]) == ("image/png", "nosniff")
    assert page.evaluate("document.contentType") == "image/png"
    expect(page.locator("img")).to_have_count(1)

    page.goto(f"/assessments/venues/v/{venue.pk}/")
    with page.expect_download() as download:
        page.evaluate(f"location.href = '/assessments/venues/photos/{legacy.pk}/'")
    assert download.value.suggested_filename == "photo.bin"
    page.wait_for_timeout(500)
    assert (dialogs, page.title() == "script ran") == ([], False)
