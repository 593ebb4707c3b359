from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from stations import importer
from stations.scope import Scope


class Command(BaseCommand):
    help = (
        "Import bureaus and stations from an .xlsx or .csv file (the layout of the download "
        "template): upsert by code, all or nothing. Runs with administrator scope."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the .xlsx or .csv file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report; write nothing"
        )

    def handle(self, *args, file: str, dry_run: bool, **options):
        with translation.override(settings.LANGUAGE_CODE):
            path = Path(file)
            if not path.is_file():
                raise CommandError(_("No such file: %(path)s") % {"path": file})
            try:
                with path.open("rb") as handle:
                    summary = importer.import_file(
                        handle, filename=path.name, scope=Scope(everything=True), dry_run=dry_run
                    )
            except importer.ImportRejected as exc:
                for error in exc.row_errors:
                    self.stderr.write(error.as_text())
                raise CommandError(
                    _("Import refused: %(count)s errors; nothing was written.")
                    % {"count": len(exc.row_errors)}
                ) from None
            self.stdout.write(self.style.SUCCESS(summary.describe()))
