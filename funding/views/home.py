"""The funding home page: every ledger of issue 5, with the clause it serves."""

from django.utils import timezone
from django.views.generic import TemplateView

from branches.selectors import work_committee
from core import scoping
from core.permissions import PermissionRequiredMixin
from core.policy import policy_for_year
from funding.selectors.applicability import funding_applicable


class FundingHomeView(PermissionRequiredMixin, TemplateView):
    permission_required = "view"
    template_name = "funding/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        values = policy_for_year(today.year)
        first, last = values.whole("welfare_fund.first_year"), values.whole("welfare_fund.last_year")
        root = scoping.scope_root(self.request.user)
        if root is None and scoping.sees_whole_zone(self.request.user):
            root = work_committee()
        context.update(
            year=today.year,
            last_year=today.year - 1,
            root=root,
            welfare_years=range(first, last + 1),
            # Issue 12: only the ledgers of the sectors in the user's scope are offered.
            applies=funding_applicable(organisation=root) if root is not None else {},
        )
        return context
