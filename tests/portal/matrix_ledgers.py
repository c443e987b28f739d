"""The printed ledgers' URLs for the permission matrix (issue 17): whoever may see the organisation or
the member may print it; outside the scope 404. The member's card, with the ID number in full for
the roles that see it, asks for the password first (PASSWORD_FIRST in the matrix)."""

VIEWS = {
    "ledgers:record_book": ("view", "org"),
    "ledgers:year_ledger": ("view", "org"),
    "ledgers:member_card": ("view", "member"),
    "ledgers:subtree": ("view", "org"),
    "ledgers:subtree_progress": ("view", "org"),
}
READ_ONLY = {"ledgers:record_book", "ledgers:year_ledger", "ledgers:member_card", "ledgers:subtree_progress"}
POST_ONLY = set()
EXTRA_KWARGS = {
    name: {"year": 2024}
    for name in ("ledgers:record_book", "ledgers:year_ledger", "ledgers:subtree", "ledgers:subtree_progress")
}
POST_PERMISSION = {}


def objects(zone) -> dict:
    return {}
