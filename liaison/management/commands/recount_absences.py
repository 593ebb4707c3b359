"""``manage.py recount_absences``: count the secondees' absences again in Chinese working
days, after the ``chinese-calendar`` package has been upgraded with a new year's holidays."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from liaison.secondments.services import recount_absences


class Command(BaseCommand):
    help = (
        "Count every secondment absence again with the working-day calendar as it is now "
        "(run after upgrading chinese-calendar); idempotent."
    )

    def handle(self, *args, **options):
        changed = recount_absences()
        self.stdout.write(
            self.style.SUCCESS(
                _("Absences counted again: %(changed)d changed.") % {"changed": changed}
            )
        )
