from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Points and rankings")

    def ready(self):
        from checklists import signals
        from scoring import receivers

        for signal in (signals.problem_closed_out, signals.result_verified):
            signal.connect(
                receivers.recompute_recent_points_after_commit,
                dispatch_uid="scoring.recompute_recent_points",
            )
