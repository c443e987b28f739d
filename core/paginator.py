"""The paginator of long lists: counting stops at a cap."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most `cap` rows: a zone-wide list says "more than 2,000" instead of counting a million."""

    cap = 2_000

    @cached_property
    def count(self):
        # Counted unordered: which rows fall within the cap does not change how many there are, and
        # sorting them first cost a town's list a sort of every member (issue 16).
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap
