"""``manage.py demo_accounts``: the demo accounts to sign in with, one or more per role."""

import unicodedata

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from liaison import seeding
from liaison.models import Role

ROLE_NAMES = {
    Role.ADMIN: pgettext_lazy("demo accounts", "Administrator"),
    Role.BUREAU: pgettext_lazy("demo accounts", "Bureau liaison office"),
    Role.LEADER: pgettext_lazy("demo accounts", "Leader"),
    Role.CADRE: pgettext_lazy("demo accounts", "Liaison cadre"),
    Role.STATION: pgettext_lazy("demo accounts", "Station staff"),
}


def _width(text: str) -> int:
    """Columns a terminal gives ``text``: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()


class Command(BaseCommand):
    help = "Print the demo accounts (password demo235) and the address to open."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000")

    def handle(self, *args, url, **options):
        accounts = seeding.demo_accounts()
        if not accounts:
            self.stdout.write(_("No demo accounts yet: run manage.py seed_demo first."))
            return
        everything = pgettext("demo accounts", "Whole system")
        rows = [
            [
                pgettext("demo accounts", "Role"),
                pgettext("demo accounts", "Username"),
                pgettext("demo accounts", "Password"),
                pgettext("demo accounts", "Unit"),
            ]
        ]
        for user in accounts:
            unit = user.unit.name if user.unit else everything
            rows.append([str(ROLE_NAMES[user.role]), user.username, seeding.DEMO_PASSWORD, unit])
        widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
        self.stdout.write(
            _("Demo accounts (every password is %(password)s; for the demo only):")
            % {"password": seeding.DEMO_PASSWORD}
        )
        for row in rows:
            self.stdout.write("  " + _row(row, widths))
        self.stdout.write(
            _("Open %(url)s in a browser and sign in with one of these accounts.") % {"url": url}
        )
