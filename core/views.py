"""View pieces shared by every app: a form view that calls one service and reports its refusal, and
the view that serves a record's uploaded file."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import FormView, View

from core.permissions import ScopedObjectMixin
from core.uploads import stored_file_response


class ServiceFormView(FormView):
    """Parse the form, call `perform(form)` (one service), add a message, redirect.

    A ValidationError raised by the service lands on the form, so the user sees the rule's own
    message next to what they typed.
    """

    success_message = ""
    title = ""
    # Service field name -> form field name, where the two differ.
    service_fields: dict[str, str] = {}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": self.title}

    def perform(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.result = self.perform(form)
        except ValidationError as exc:
            self.add_service_error(form, exc)
            return self.form_invalid(form)
        message = self.get_success_message()
        if message:
            messages.success(self.request, message)
        return redirect(self.get_success_url())

    def add_service_error(self, form, exc: ValidationError) -> None:
        """A rule's message lands next to the field it names, or above the form."""
        if not hasattr(exc, "error_dict"):
            form.add_error(None, exc)
            return
        for field, errors in exc.error_dict.items():
            field = self.service_fields.get(field, field)
            form.add_error(field if field in form.fields else None, errors)

    def get_success_message(self):
        return self.success_message


class ScopedFileView(ScopedObjectMixin, View):
    """An uploaded file of a record, served only inside the user's scope (media files are not
    public) and with the type the server decided when it stored it (core.uploads, issue 13).
    Subclasses name the record and say which file and the name the user knows it by."""

    def file(self):
        """(field file, name the user knows it by)."""
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        field_file, name = self.file()
        return stored_file_response(field_file, name=name)
