"""The SQL floors of the points (issue 5): the entries the point rules call for, as one bare
``INSERT … SELECT`` into the ledger (or one comparison with it), and the monthly freeze as
one ``INSERT … SELECT`` of ranks. Run inside transactions that the benchmarks roll back.

``DESIRED`` mirrors ``scoring.rules`` as documented there (and as ``scoring.services.ledger``
applies them): every fact of ``since`` and later, its code, cadre, day and the rule version
in effect that day. A fact at a station scores for the cadre covering the station that day.
``weeks``: the overdue weeks to look at (the largest cap of the rule).
"""

FACTS = """
SELECT CASE pr.status WHEN 'met' THEN 'visit_in_period' ELSE 'missed_period' END AS code,
    'period' AS kind, pr.id AS source, 0 AS seq, a.cadre_id AS cadre,
    NULL::bigint AS station, pr.period_end AS day
FROM liaison_periodrecord pr JOIN liaison_assignment a ON a.id = pr.assignment_id
WHERE pr.period_end >= %(since)s
UNION ALL
SELECT 'problem_published', 'problem', p.id, 0, c.id, NULL,
    (p.published_at AT TIME ZONE %(tz)s)::date
FROM checklists_problem p JOIN liaison_cadre c ON c.user_id = p.raised_by_id
WHERE p.status <> 'draft' AND p.published_at >= %(since_at)s
UNION ALL
SELECT 'problem_closed', 'problem', p.id, 0, NULL, p.station_id, p.closed_on
FROM checklists_problem p
WHERE p.status = 'closed' AND p.closed_on >= %(since)s
UNION ALL
SELECT CASE WHEN t.done_on <= t.due_date THEN 'task_on_time' ELSE 'task_late' END,
    'task', t.id, 0, NULL, p.station_id, t.done_on
FROM checklists_task t JOIN checklists_problem p ON p.id = t.problem_id
WHERE p.status <> 'draft' AND t.done_on >= %(since)s
UNION ALL
SELECT 'task_overdue_week', 'task', t.id, w.k, NULL, p.station_id, t.due_date + 7 * w.k
FROM checklists_task t JOIN checklists_problem p ON p.id = t.problem_id
CROSS JOIN generate_series(1, %(weeks)s) AS w(k)
WHERE p.status <> 'draft' AND t.due_date + 7 * w.k >= %(since)s
  AND ((t.done_on IS NULL AND t.due_date + 7 * w.k < %(today)s)
       OR t.done_on > t.due_date + 7 * w.k)
UNION ALL
SELECT CASE r.rating WHEN 'excellent' THEN 'result_excellent' ELSE 'result_poor' END,
    'result', r.id, 0, NULL, p.station_id, (r.verified_at AT TIME ZONE %(tz)s)::date
FROM checklists_result r JOIN checklists_problem p ON p.id = r.problem_id
WHERE r.rating IN ('excellent', 'poor') AND r.verified_at >= %(since_at)s
"""

DESIRED = f"""
SELECT coalesce(f.cadre, cov.cadre_id) AS cadre_id, r.id AS rule_id, f.code, f.kind, f.source,
    f.seq, r.points, f.day, date_trunc('month', f.day)::date AS month
FROM ({FACTS}) f
JOIN scoring_pointrule r ON r.code = f.code AND r.points <> 0
    AND r.effective_from <= f.day AND (r.effective_to IS NULL OR r.effective_to >= f.day)
    AND (r.cap IS NULL OR f.seq <= r.cap)
LEFT JOIN LATERAL (
    SELECT a.cadre_id FROM liaison_assignment a
    WHERE a.station_id = f.station AND a.start_date <= f.day
      AND (a.end_date IS NULL OR a.end_date >= f.day)
    ORDER BY a.start_date DESC LIMIT 1
) cov ON true
WHERE coalesce(f.cadre, cov.cadre_id) IS NOT NULL
"""

# Every entry the facts call for written into the ledger; those already live are skipped by
# the unique index; a fact of a frozen month is booked in the current month.
WRITE = f"""
INSERT INTO scoring_pointentry
    (cadre_id, rule_id, code, source_kind, source_id, seq, points, fact_day, booked_month,
     created_at, reverses_id, reversed)
SELECT d.cadre_id, d.rule_id, d.code, d.kind, d.source, d.seq, d.points, d.day,
    CASE WHEN EXISTS (SELECT 1 FROM scoring_rankingmonth m WHERE m.month = d.month)
        THEN %(this_month)s ELSE d.month END,
    %(now)s, NULL, false
FROM ({DESIRED}) d
ON CONFLICT DO NOTHING
"""

# A ledger in line: the desired entries matched against the live ones; a count of the
# differences (0 when nothing is to be done).
COMPARE = f"""
SELECT count(*) FROM ({DESIRED}) d
FULL JOIN (
    SELECT * FROM scoring_pointentry
    WHERE NOT reversed AND reverses_id IS NULL AND fact_day >= %(since)s
) e ON e.code = d.code AND e.source_kind = d.kind AND e.source_id = d.source
    AND e.seq = d.seq AND e.cadre_id = d.cadre_id AND e.points = d.points
    AND e.fact_day = d.day
WHERE e.id IS NULL OR d.code IS NULL
"""

_ENTRY = "code, source_kind, source_id, seq, cadre_id, rule_id, points, fact_day, booked_month"
# Comparing the floor's entries with the service's, once per run (untimed).
SNAPSHOT = f"""
CREATE TEMPORARY TABLE bench_service_entries ON COMMIT DROP AS
SELECT {_ENTRY} FROM scoring_pointentry WHERE NOT reversed AND reverses_id IS NULL
"""
EMPTY_LEDGER = "TRUNCATE scoring_pointentry"
DIFFERENCES = f"""
SELECT count(*) FROM (
    (SELECT {_ENTRY} FROM scoring_pointentry EXCEPT ALL SELECT {_ENTRY} FROM bench_service_entries)
    UNION ALL
    (SELECT {_ENTRY} FROM bench_service_entries EXCEPT ALL SELECT {_ENTRY} FROM scoring_pointentry)
) x
"""

# The freeze: every cadre with an assignment active on the month's last day (its latest one
# started by then) or with entries booked in the month, its points summed and ranked.
FREEZE = """
INSERT INTO scoring_monthlyrank
    (ranking_id, cadre_id, tier, station_id, points, rank_in_tier, rank_overall)
SELECT %(ranking)s, c.id, c.tier, a.station_id, coalesce(t.points, 0),
    rank() OVER (PARTITION BY c.tier ORDER BY coalesce(t.points, 0) DESC),
    rank() OVER (ORDER BY coalesce(t.points, 0) DESC)
FROM liaison_cadre c
LEFT JOIN (
    SELECT DISTINCT ON (cadre_id) cadre_id, station_id, end_date FROM liaison_assignment
    WHERE start_date <= %(day)s ORDER BY cadre_id, start_date DESC, id DESC
) a ON a.cadre_id = c.id
LEFT JOIN (
    SELECT cadre_id, sum(points) AS points FROM scoring_pointentry
    WHERE booked_month = %(month)s GROUP BY cadre_id
) t ON t.cadre_id = c.id
WHERE (a.cadre_id IS NOT NULL AND (a.end_date IS NULL OR a.end_date >= %(day)s))
   OR t.cadre_id IS NOT NULL
"""
FREEZE_MONTH = (
    "INSERT INTO scoring_rankingmonth (month, frozen_at) VALUES (%(month)s, %(now)s) RETURNING id"
)
