from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from checklists.services.excel import import_problems
from liaison.models import User
from stations.access import MANAGERS, has_role
from stations.importer import ImportRejected


class Command(BaseCommand):
    help = (
        "Import a problem list from an .xlsx file (the layout of the download template) as "
        "USERNAME, within that user's jurisdiction: all rows or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the .xlsx file")
        parser.add_argument(
            "--user", required=True, help="username of the bureau staff member importing"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report; write nothing"
        )

    def handle(self, *args, file: str, user: str, dry_run: bool, **options):
        with translation.override(settings.LANGUAGE_CODE):
            by = User.objects.select_related("bureau", "station").filter(username=user).first()
            if by is None or not by.is_active:
                raise CommandError(
                    _("No active user has the username “%(username)s”.") % {"username": user}
                )
            if not has_role(by, *MANAGERS):
                raise CommandError(_("Only bureau staff and administrators can import problems."))
            path = Path(file)
            if not path.is_file():
                raise CommandError(_("No such file: %(path)s") % {"path": file})
            try:
                with path.open("rb") as handle:
                    summary = import_problems(
                        handle, filename=path.name, by=by, now=timezone.now(), dry_run=dry_run
                    )
            except ImportRejected as exc:
                for error in exc.row_errors:
                    self.stderr.write(error.as_text())
                raise CommandError(
                    _("Import refused: %(count)s errors; nothing was written.")
                    % {"count": len(exc.row_errors)}
                ) from None
            self.stdout.write(self.style.SUCCESS(summary.describe()))
