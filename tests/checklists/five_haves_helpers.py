"""Recording five-haves audits in tests through the service, as the audit form does."""

import datetime as dt
import importlib

from django.apps import apps

from checklists.services.standards import ItemCheck, five_haves_items, record_audit

DAY = dt.date(2026, 11, 18)


def audit_station(station, *, by, unmet=(), day=DAY, photos=None):
    """An audit of ``station`` on ``day`` with the items whose codes are in ``unmet`` not met
    (a note says what is missing); ``photos``: item code → uploads."""
    # The template's items come from a data migration, which a transactional test may have
    # flushed: insert what is missing (never changes existing rows).
    importlib.import_module("checklists.migrations.0002_seed_defaults").seed(apps, None)
    photos = photos or {}
    checks = [
        ItemCheck(
            item=item,
            met=item.code not in unmet,
            note=f"{item.label}：不具备" if item.code in unmet else "",
            photos=photos.get(item.code, ()),
        )
        for item in five_haves_items()
    ]
    return record_audit(
        station=station,
        by=by,
        audited_on=day,
        checks=checks,
        today=max(day, DAY),
        now=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC),
    )
