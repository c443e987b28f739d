"""Print an organisation's ledger of a year from the command line (issue 17):

    manage.py ledger ORG_CODE YEAR --format docx|pdf --out FILE [--document year_ledger|record_book]
    manage.py ledger ORG_CODE YEAR --subtree --format pdf --out town.zip

`--subtree` writes every organisation's ledgers under ORG_CODE as one ZIP, the same task the page
starts (here in this process), the members' cards in it masked. Printed as the system; audited like a
print from the page."""

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from branches.models import Organisation
from core.years import FIRST_YEAR
from portal.ledgers import services


class Command(BaseCommand):
    help = "Print an organisation's year ledger or record book (.docx or .pdf), or a subtree's as a ZIP."

    def add_arguments(self, parser):
        parser.add_argument("code", help="the organisation code (组织代码)")
        parser.add_argument("year", type=int)
        parser.add_argument("--format", choices=sorted(services.FORMATS), default="pdf", dest="fmt")
        parser.add_argument("--out", required=True, help="the file to write")
        parser.add_argument(
            "--document", choices=[services.YEAR_LEDGER, services.RECORD_BOOK], default=services.YEAR_LEDGER
        )
        parser.add_argument("--subtree", action="store_true", help="every organisation under it, as one ZIP")

    def handle(self, *args, code, year, fmt, out, document, subtree, **options):
        organisation = Organisation.objects.filter(code=code).first()
        if organisation is None:
            raise CommandError(f"没有组织代码为 {code} 的党组织。")
        if not FIRST_YEAR <= year <= 9999:
            raise CommandError(f"年份 {year} 不在 {FIRST_YEAR} 年以来的范围内。")
        with translation.override("zh-hans"):
            if subtree:
                result = services.subtree_zip_write(organisation=organisation, year=year, fmt=fmt)
                if result["state"] != "done":
                    raise CommandError("这个 ZIP 正由另一个任务打印，请稍后再试。")
                shutil.copyfile(services.subtree_zip_path(organisation=organisation, year=year, fmt=fmt), out)
                self.stdout.write(
                    f"{out}: {result['organisations']} organisations, {result['documents']} documents, "
                    f"{result['members']} members, {result['cards']} cards"
                )
                return
            content = services.ledger_print(kind=document, organisation=organisation, year=year, fmt=fmt)
        Path(out).write_bytes(content)
        self.stdout.write(f"{out}: {len(content)} bytes")
