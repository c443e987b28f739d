"""Pages of the organisation tree: browse, search, detail, create, edit, move, dissolve, delete, posts."""

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from branches import selectors, services
from branches.forms import (
    OrganisationDissolveForm,
    OrganisationForm,
    OrganisationMoveForm,
    OrganisationSearchForm,
    PostEndForm,
    PostForm,
)
from branches.models import Organisation, Post
from core import scoping
from core.concurrency import VersionedFormViewMixin, version_of
from core.forms import ConfirmForm
from core.permissions import PermissionRequiredMixin, ScopedObjectMixin, has_permission
from core.views import ServiceFormView

CHILDREN_PAGE_SIZE = 50


class OrganisationMixin(ScopedObjectMixin):
    """Loads the organisation named by the URL, within the user's scope (else 404)."""

    scoped_name = "organisation"
    show_breadcrumb = True

    def get_scoped_queryset(self):
        return Organisation.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.show_breadcrumb:
            context["ancestors"] = selectors.organisation_ancestors(
                organisation=self.organisation, user=self.request.user
            )
        return context

    def get_success_url(self):
        return reverse("branches:detail", args=[self.organisation.pk])


class OrganisationTreeView(PermissionRequiredMixin, TemplateView):
    permission_required = "view"
    template_name = "branches/organisation/tree.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = OrganisationSearchForm(self.request.GET or None)
        context["search_form"] = form
        if form.is_valid() and form.cleaned_data["q"]:
            results = selectors.organisation_search(user=self.request.user, text=form.cleaned_data["q"])
            context["page"] = Paginator(results, 50).get_page(self.request.GET.get("page"))
            context["query"] = form.cleaned_data["q"]
        else:
            context["roots"] = selectors.organisation_tree_roots(user=self.request.user)
        return context


class OrganisationChildrenView(OrganisationMixin, TemplateView):
    """The lazy-loaded children of one node (an htmx partial), a page at a time."""

    permission_required = "view"

    template_name = "branches/organisation/_children.html"
    show_breadcrumb = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        children = selectors.organisation_children(organisation=self.organisation, user=self.request.user)
        context["page"] = Paginator(children, CHILDREN_PAGE_SIZE).get_page(self.request.GET.get("page"))
        return context


class OrganisationDetailView(OrganisationMixin, TemplateView):
    permission_required = "view"
    template_name = "branches/organisation/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        org = self.organisation
        user = self.request.user
        context["posts"] = selectors.organisation_current_posts(organisation=org)
        context["summary"] = selectors.organisation_summary(organisation=org)
        context["can_edit"] = has_permission(user, "edit") and not org.is_dissolved
        context["is_scope_root"] = scoping.scope_root(user) == org
        context["current_year"] = timezone.localdate().year
        return context


class OrganisationCreateView(OrganisationMixin, ServiceFormView):
    """Create an organisation under the one in the URL."""

    permission_required = "edit"
    template_name = "branches/organisation/form.html"
    title = _("New subordinate organisation")
    form_class = OrganisationForm
    success_message = _("The organisation was created.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "parent": self.organisation}

    def perform(self, form):
        return services.organisation_create(parent=self.organisation, data=form.cleaned_data, user=self.request.user)

    def get_success_url(self):
        return reverse("branches:detail", args=[self.result.pk])


class OrganisationUpdateView(OrganisationMixin, VersionedFormViewMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "branches/organisation/form.html"
    title = _("Edit organisation")
    form_class = OrganisationForm
    success_message = _("The organisation was saved.")

    def get_form_kwargs(self):
        # The form edits a copy, so a refused save leaves the loaded organisation untouched.
        instance = Organisation.objects.get(pk=self.organisation.pk)
        return {
            **super().get_form_kwargs(),
            "instance": instance,
            "parent": Organisation.objects.get_parent(self.organisation),
        }

    def record_version(self):
        return version_of(self.organisation.updated_at)

    def perform(self, form):
        return services.organisation_update(
            organisation=self.organisation,
            data=form.cleaned_data,
            user=self.request.user,
            version=self.opened_version(form),
        )


class OrganisationMoveView(OrganisationMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "branches/organisation/form.html"
    title = _("Move organisation")
    form_class = OrganisationMoveForm
    success_message = _("The organisation was moved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def perform(self, form):
        return services.organisation_move(
            organisation=self.organisation, new_parent=form.target, user=self.request.user
        )


class OrganisationDissolveView(OrganisationMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "branches/organisation/form.html"
    title = _("Dissolve organisation")
    form_class = OrganisationDissolveForm
    success_message = _("The organisation was dissolved; its history is kept.")

    def perform(self, form):
        return services.organisation_dissolve(
            organisation=self.organisation,
            on=form.cleaned_data["on"],
            reason=form.cleaned_data["reason"],
            user=self.request.user,
        )


class OrganisationDeleteView(OrganisationMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "branches/organisation/delete.html"
    form_class = ConfirmForm
    success_message = _("The organisation was deleted.")

    def perform(self, form):
        parent = Organisation.objects.get_parent(self.organisation)
        services.organisation_delete(organisation=self.organisation, user=self.request.user)
        return parent

    def get_success_url(self):
        return reverse("branches:detail", args=[self.result.pk]) if self.result else reverse("branches:tree")


class PostCreateView(OrganisationMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "branches/organisation/form.html"
    title = _("Assign a post")
    form_class = PostForm
    success_message = _("The post was recorded.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organisation": self.organisation, "user": self.request.user}

    def perform(self, form):
        data = form.cleaned_data
        return services.post_assign(
            organisation=self.organisation,
            member=data["member"],
            kind=data["kind"],
            started_on=data["started_on"],
            is_full_time=data["is_full_time"],
            user=self.request.user,
        )


class PostEndView(ScopedObjectMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "branches/organisation/form.html"
    form_class = PostEndForm
    success_message = _("The post was ended.")
    scoped_name = "post_record"

    def get_scoped_queryset(self):
        return Post.objects.select_related("organisation", "member")

    def perform(self, form):
        return services.post_end(post=self.post_record, ended_on=form.cleaned_data["ended_on"], user=self.request.user)

    def get_success_url(self):
        return reverse("branches:detail", args=[self.post_record.organisation_id])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["organisation"] = self.post_record.organisation
        context["title"] = _("End post: %(post)s") % {"post": self.post_record}
        return context
