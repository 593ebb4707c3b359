"""The index the board of bureau staff reads its pages in (checklists.filters): open problems
by deadline, closed-out ones last, newest first on equal deadlines."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0004_five_haves_audits"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="problem",
            index=models.Index(
                models.Case(
                    models.When(status="closed", then=models.Value(True)),
                    default=models.Value(False),
                    output_field=models.BooleanField(),
                ),
                models.OrderBy(models.F("deadline")),
                models.OrderBy(models.F("created_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("status", "draft"), _negated=True),
                name="problem_board_order",
            ),
        ),
    ]
