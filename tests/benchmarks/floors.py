"""The SQL floors of the missed-period sweep: the same work as bare set-based statements on
the same tables (same indexes, checks and foreign keys, checked before the end of the timed
part), run inside a transaction that the benchmark rolls back. The periods are the ones the
sweep walks, from ``liaison.periods``, passed as arrays.
"""

import datetime as dt

from django.conf import settings

from liaison.periods import TIERS, next_period, period_containing
from tests.benchmarks.harness import local

CLEAR = "DELETE FROM liaison_periodevent; DELETE FROM liaison_periodrecord"
# Deferred foreign keys are checked at commit: check them inside the timed part.
CHECK = "SET CONSTRAINTS ALL IMMEDIATE"

# Every (tier, period) at once: each unannounced visit is placed in its period by date
# arithmetic and grouped once (a hash aggregate over the visits), then joined to the
# required (assignment, period) pairs.
REBUILD = """
WITH periods AS (
    SELECT * FROM unnest(%(tiers)s::varchar[], %(starts)s::date[], %(ends)s::date[],
                         %(deadlines)s::timestamptz[])
        AS p(tier, period_start, period_end, deadline)
), hits AS (
    SELECT v.assignment_id, c.tier,
        CASE c.tier
            WHEN 'county' THEN date_trunc('week', v.visited_on)::date
            WHEN 'province' THEN date_trunc('month', v.visited_on)::date
            ELSE date_trunc('month', v.visited_on)::date
                + CASE WHEN extract(day FROM v.visited_on) > 15 THEN 15 ELSE 0 END
        END AS period_start,
        min(v.logged_at) AS first_logged
    FROM liaison_visit v
    JOIN liaison_assignment a ON a.id = v.assignment_id
    JOIN liaison_cadre c ON c.id = a.cadre_id
    WHERE v.unannounced
    GROUP BY 1, 2, 3
)
INSERT INTO liaison_periodrecord
    (assignment_id, tier, period_start, period_end, status, met_on_time, flagged_at)
SELECT a.id, p.tier, p.period_start, p.period_end,
    CASE WHEN h.assignment_id IS NULL THEN 'missed' ELSE 'met' END,
    coalesce(h.first_logged < p.deadline, false), %(now)s
FROM periods p
JOIN liaison_cadre c ON c.tier = p.tier
JOIN liaison_assignment a ON a.cadre_id = c.id AND a.start_date <= p.period_start
    AND (a.end_date IS NULL OR a.end_date >= p.period_end)
LEFT JOIN hits h ON h.assignment_id = a.id AND h.tier = p.tier
    AND h.period_start = p.period_start
"""

# A few periods: one index probe per (assignment, period) for its first unannounced log.
SLICE = """
WITH periods AS (
    SELECT * FROM unnest(%(tiers)s::varchar[], %(starts)s::date[], %(ends)s::date[],
                         %(deadlines)s::timestamptz[])
        AS p(tier, period_start, period_end, deadline)
)
INSERT INTO liaison_periodrecord
    (assignment_id, tier, period_start, period_end, status, met_on_time, flagged_at)
SELECT a.id, p.tier, p.period_start, p.period_end,
    CASE WHEN f.first_logged IS NULL THEN 'missed' ELSE 'met' END,
    coalesce(f.first_logged < p.deadline, false), %(now)s
FROM periods p
JOIN liaison_cadre c ON c.tier = p.tier
JOIN liaison_assignment a ON a.cadre_id = c.id AND a.start_date <= p.period_start
    AND (a.end_date IS NULL OR a.end_date >= p.period_end)
LEFT JOIN LATERAL (
    SELECT min(v.logged_at) AS first_logged FROM liaison_visit v
    WHERE v.assignment_id = a.id AND v.unannounced
      AND v.visited_on >= p.period_start AND v.visited_on <= p.period_end
) f ON true
"""

EVENTS = """
INSERT INTO liaison_periodevent (record_id, kind, at)
SELECT r.id, 'missed', %(now)s FROM liaison_periodrecord r
WHERE r.status = 'missed'
  AND (r.tier, r.period_start) IN (
    SELECT * FROM unnest(%(tiers)s::varchar[], %(starts)s::date[]))
"""

# Missed periods a visit logged from now on could still fill: those ending within the
# back-dating window.
CURE = """
SELECT r.id FROM liaison_periodrecord r
WHERE r.status = 'missed' AND r.period_end >= %(window)s
  AND EXISTS (
    SELECT 1 FROM liaison_visit v
    WHERE v.assignment_id = r.assignment_id AND v.unannounced
      AND v.visited_on >= r.period_start AND v.visited_on <= r.period_end
  )
"""

# The due active assignments (all of them after a rebuild) move to the period containing
# today.
ADVANCE = """
WITH periods AS (
    SELECT * FROM unnest(%(tiers)s::varchar[], %(starts)s::date[], %(ends)s::date[])
        AS p(tier, period_start, period_end)
)
UPDATE liaison_assignment a
SET period_start = p.period_start, period_end = p.period_end,
    period_met = EXISTS (
        SELECT 1 FROM liaison_visit v
        WHERE v.assignment_id = a.id AND v.unannounced
          AND v.visited_on >= p.period_start AND v.visited_on <= p.period_end)
FROM liaison_cadre c, periods p
WHERE c.id = a.cadre_id AND p.tier = c.tier AND a.end_date IS NULL
  AND (%(everyone)s OR a.period_end IS NULL OR a.period_end < %(today)s)
"""


def _arrays(periods: list[tuple[str, dt.date, dt.date]]) -> dict:
    return {
        "tiers": [tier for tier, _, _ in periods],
        "starts": [start for _, start, _ in periods],
        "ends": [end for _, _, end in periods],
        "deadlines": [local(end + dt.timedelta(days=1)) for _, _, end in periods],
    }


def ended_periods(since: dt.date, today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """Every (tier, first day, last day) from the one containing ``since`` that ended before
    ``today``: the slices the sweep walks."""
    periods = []
    for tier in TIERS:
        period = period_containing(tier, since)
        while period[1] < today:
            periods.append((tier, *period))
            period = next_period(tier, period)
    return periods


def _advance(today: dt.date, *, everyone: bool):
    current = [(tier, *period_containing(tier, today)) for tier in TIERS]
    params = {k: v for k, v in _arrays(current).items() if k != "deadlines"}
    return ADVANCE, {**params, "today": today, "everyone": everyone}


def rebuild_statements(since: dt.date, today: dt.date, now: dt.datetime):
    """Every record again: delete them all, insert every ended period, flag the missed ones,
    move every deadline."""
    periods = _arrays(ended_periods(since, today))
    return [
        (CLEAR, {}),
        (REBUILD, {**periods, "now": now}),
        (EVENTS, {**periods, "now": now}),
        _advance(today, everyone=True),
        (CHECK, {}),
    ]


def incremental_statements(last: dt.date, today: dt.date, now: dt.datetime):
    """The work of the sweep on ``today`` after it ran on ``last``: the periods that ended
    in between, their missed events, the cure check (within the back-dating window), the
    deadlines moved on."""
    ended = _arrays([p for p in ended_periods(last, today) if p[2] >= last])
    window = today - dt.timedelta(days=settings.LIAISON_BACKDATE_DAYS + 1)
    return [
        (SLICE, {**ended, "now": now}),
        (EVENTS, {**ended, "now": now}),
        (CURE, {"window": window}),
        _advance(today, everyone=False),
        (CHECK, {}),
    ]
