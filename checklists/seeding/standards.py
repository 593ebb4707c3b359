"""Five-haves audits (五有达标检查) for ``manage.py seed_demo``: deterministic for a seed.

Most stations (about nine in ten) get an audit in the last 90 days by the liaison office of
their bureau (or the one above); about a quarter of those fail one or two items; some also
have an earlier audit, so the history shows a station that has since fixed what it lacked.
No audit item is turned into a problem here: the seeded problem counts stay those of Hubei.
Bulk inserts only, no history rows; a fixed number of queries whatever the scale.
"""

import datetime as dt
import random
from zoneinfo import ZoneInfo

from checklists.models import AuditResult, StationAudit
from checklists.services.standards import five_haves_items
from liaison.models import Role, User
from stations.models import Station

BATCH_SIZE = 5000
SHANGHAI = ZoneInfo("Asia/Shanghai")
AUDITED_SHARE = 0.9
FAILING_SHARE = 0.25
EARLIER_SHARE = 0.3
MISSING = {
    "you-fan-chi": "食堂未开伙，民警自行解决用餐。",
    "you-reshui": "热水器损坏，值班期间无热水。",
    "you-zhibanshi": "值班室与办公区混用，无独立床位。",
    "you-xiyifang": "无洗衣机，警服需带回家清洗。",
    "you-xuexi-xunlian": "无固定学习训练场地。",
}


def _offices() -> dict[str, int]:
    offices: dict[str, int] = {}
    users = User.objects.filter(role=Role.BUREAU, is_active=True).order_by("username")
    for code, pk in users.values_list("bureau__code", "pk"):
        offices.setdefault(code, pk)
    return offices


def seed_five_haves(*, seed: int, today: dt.date) -> dict[str, int]:
    """Write the audits and their results; returns how many stations were audited and how
    many of them fail the standard in their latest audit."""
    items = list(five_haves_items())
    if not items:
        return {"audited": 0, "failing": 0, "audits": 0}
    offices = _offices()
    stations = Station.objects.active().order_by("code").values_list("pk", "bureau__path")
    rng = random.Random(f"five-haves:{seed}")
    audits, outcomes = [], []  # outcomes[i]: the codes of the items audits[i] fails
    for pk, path in stations:
        auditor = next((offices[c] for c in reversed(path.split("/")) if c in offices), None)
        if auditor is None or rng.random() >= AUDITED_SHARE:
            continue
        day = today - dt.timedelta(days=rng.randint(1, 90))
        failing = rng.random() < FAILING_SHARE
        fails = rng.sample([i.code for i in items], rng.randint(1, 2)) if failing else []
        if rng.random() < EARLIER_SHARE:
            earlier = day - dt.timedelta(days=rng.randint(60, 180))
            audits.append(_audit(pk, auditor, earlier, is_latest=False))
            outcomes.append(fails or [rng.choice(items).code])
        audits.append(_audit(pk, auditor, day, is_latest=True))
        outcomes.append(fails)
    for audit, fails in zip(audits, outcomes, strict=True):
        audit.unmet_count = len(fails)
    StationAudit.objects.bulk_create(audits, batch_size=BATCH_SIZE)
    results = [
        AuditResult(
            audit=audit,
            item=item,
            label=item.label,
            order=item.order,
            met=item.code not in fails,
            note=MISSING.get(item.code, "") if item.code in fails else "",
        )
        for audit, fails in zip(audits, outcomes, strict=True)
        for item in items
    ]
    AuditResult.objects.bulk_create(results, batch_size=BATCH_SIZE)
    latest = [a for a in audits if a.is_latest]
    return {
        "audited": len(latest),
        "failing": sum(1 for a in latest if a.unmet_count),
        "audits": len(audits),
    }


def _audit(station_id: int, auditor: int, day: dt.date, *, is_latest: bool) -> StationAudit:
    return StationAudit(
        station_id=station_id,
        auditor_id=auditor,
        audited_on=day,
        created_at=dt.datetime.combine(day, dt.time(16), tzinfo=SHANGHAI),
        is_latest=is_latest,
    )
