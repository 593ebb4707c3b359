"""The default point rules (积分规则), in effect from 2026-01-01. Administrators change them
in the admin by ending a version and adding one with a later start date; re-running this
migration never overwrites their edits (insert only what is missing, by code and start)."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

EFFECTIVE_FROM = dt.date(2026, 1, 1)

# (code, description, points, cap). Descriptions are data that administrators edit, so they
# are stored in Chinese like the other seeded reference data.
RULES = [
    ("visit_in_period", "规定走访周期内开展“四不两直”走访（每个达标周期）", "2", None),
    ("missed_period", "规定走访周期结束时未开展“四不两直”走访（每个未达标周期）", "-3", None),
    ("problem_published", "包联干部提出的问题经审核公开发布", "1", None),
    ("task_on_time", "任务按期办结", "2", None),
    ("task_late", "任务逾期办结", "0.5", None),
    ("task_overdue_week", "任务逾期未办结（每满一周，最多计4周）", "-1", 4),
    ("problem_closed", "问题整改到位并销号", "3", None),
    ("result_excellent", "整改效果核验评定为优秀", "2", None),
    ("result_poor", "整改效果核验评定为较差", "-2", None),
    ("evaluation", "季度双向评议：派出所对包联干部的平均评分不低于4.5分", "3", None),
]


def seed(apps, schema_editor):
    PointRule = apps.get_model("scoring", "PointRule")
    existing = set(
        PointRule.objects.filter(effective_from=EFFECTIVE_FROM).values_list("code", flat=True)
    )
    PointRule.objects.bulk_create(
        [
            PointRule(
                code=code,
                description=description,
                points=Decimal(points),
                cap=cap,
                effective_from=EFFECTIVE_FROM,
            )
            for code, description, points, cap in RULES
            if code not in existing
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("scoring", "0002_reports")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
