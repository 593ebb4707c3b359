"""``manage.py flag_overdue_items [--today YYYY-MM-DD] [--no-mail] [--rebuild]``: the daily
overdue sweep of the lists and its mails, by hand."""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from checklists.services import overdue
from liaison.management.arguments import iso_day


class Command(BaseCommand):
    help = (
        "Flag overdue tasks and problems, clear those no longer overdue, escalate problems "
        "overdue for the configured working days, then mail reminders and escalations: the "
        "same services as the daily job."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=iso_day, help="the day to sweep for (default: today)")
        parser.add_argument(
            "--no-mail", action="store_true", help="only flag; send no reminders or escalations"
        )
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="derive every overdue flag and escalation again from the facts (repair path)",
        )

    def handle(self, *args, today, no_mail, rebuild, **options):
        today = today or timezone.localdate()
        service = overdue.rebuild_overdue if rebuild else overdue.flag_overdue
        report = service(today=today)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Overdue lists on %(today)s: %(tasks)d tasks and %(problems)d problems "
                    "newly overdue, %(cleared)d no longer overdue, %(escalated)d problems "
                    "escalated to the bureau above."
                )
                % {
                    "today": today.isoformat(),
                    "tasks": report.tasks_overdue,
                    "problems": report.problems_overdue,
                    "cleared": report.cleared,
                    "escalated": report.escalated,
                }
            )
        )
        if no_mail:
            self.stdout.write(_("No mails sent (--no-mail)."))
            return
        mails = overdue.send_overdue_reminders(today=today)
        self.stdout.write(
            _(
                "Mails: %(reminded)d overdue reminders and %(escalations)d escalations sent; "
                "%(no_email)d people without an email address skipped; %(already)d already "
                "sent today."
            )
            % {
                "reminded": mails.reminded,
                "escalations": mails.escalations,
                "no_email": mails.no_email,
                "already": mails.already_sent,
            }
        )
