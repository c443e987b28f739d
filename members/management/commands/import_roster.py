"""Import a member roster from the command line, with the same checks and messages as the browser."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from branches.models import Organisation
from members import imports, roster


class Command(BaseCommand):
    help = "Import a roster file (.xlsx, .xls, .csv): preview the rows, then write the valid ones in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the roster file")
        parser.add_argument("--org", help="organisation code for rows without one")
        parser.add_argument("--dry-run", action="store_true", help="check the rows only; write nothing")
        parser.add_argument("--json", action="store_true", dest="as_json", help="machine-readable output")

    def handle(self, *args, file, org, dry_run, as_json, **options):
        path = Path(file)
        if not path.is_file():
            self.refuse(as_json, path, _("%(file)s: no such file.") % {"file": file})
        default = None
        if org:
            default = Organisation.objects.active().filter(code=org).first()
            if default is None:
                self.refuse(as_json, path, _("--org %(code)s: no active organisation has this code.") % {"code": org})
        try:
            rows = imports.roster_read(name=path.name, content=path.read_bytes())
            plan = imports.roster_preview(rows=rows, default_organisation=default, file_name=path.name)
        except roster.RosterError as exc:
            self.refuse(as_json, path, str(exc), cause=exc)
        written = {"created": 0, "updated": 0}
        if not dry_run:
            written = imports.roster_import(plan=plan)
        report = {
            "file": path.name,
            "refused": False,
            "header_row": plan.header_row,
            "counts": plan.counts,
            "written": written,
            "dry_run": dry_run,
            "readings": [{**reading, "text": roster.reading_text(reading)} for reading in plan.readings],
            "errors": [
                {"row": e.row, "column": e.column, "field": e.field, "value": e.value, "message": e.message}
                for e in plan.errors
            ],
        }
        if as_json:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            summary = _("%(file)s: %(new)s new, %(changed)s changed, %(unchanged)s unchanged, %(rejected)s rejected.")
            self.stdout.write(summary % {"file": path.name, **plan.counts})
            for reading in plan.readings:
                self.stdout.write(roster.reading_text(reading))
            if dry_run:
                self.stdout.write(_("Dry run: nothing was written."))
            else:
                self.stdout.write(_("Written: %(created)s new, %(updated)s changed.") % written)
            for error in plan.errors:
                self.stdout.write(
                    _("%(file)s, row %(row)s, column %(column)s, value “%(value)s”: %(message)s")
                    % {
                        "file": path.name,
                        "row": error.row,
                        "column": roster.column_text(error.column, error.field),
                        "value": error.value,
                        "message": error.message,
                    }
                )
        if plan.counts["rejected"]:
            sys.exit(1)

    def refuse(self, as_json: bool, path: Path, reason: str, cause: Exception | None = None):
        """A file refused before any row is checked (exit code 2): with --json, the reason as JSON on
        stdout like every other outcome (issue 13, item 13); else on stderr."""
        if as_json:
            self.stdout.write(json.dumps({"file": path.name, "refused": True, "reason": reason}, ensure_ascii=False))
            sys.exit(REFUSED)
        raise CommandError(reason, returncode=REFUSED) from cause


REFUSED = 2
