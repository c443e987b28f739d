"""The paginator of long lists: counting stops at a cap."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most `cap` rows: a zone-wide list says "more than 2,000" instead of counting a million."""

    cap = 2_000

    @cached_property
    def count(self):
        return self.object_list[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap
