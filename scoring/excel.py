"""Excel export of a ranking (openpyxl): a title naming scope and period, a frozen header
row repeated on every printed page, A4 landscape fitted to the page width."""

import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from liaison.exports import print_a4_landscape, titled_sheet, workbook_response
from scoring.selectors import Ranking, RankingFilters
from stations.models import Tier

HEADER_ROW = 3  # under the title and the export date
WIDTHS = [8, 12, 8, 22, 18, 18, 10, 10, 10, 10]


def ranking_title(*, scope_label: str, filters: RankingFilters, provisional: bool) -> str:
    if filters.tier:
        title = _("%(scope)s · %(tier)s cadres · points ranking %(period)s") % {
            "scope": scope_label,
            "tier": Tier(filters.tier).label,
            "period": filters.period.label,
        }
    else:
        title = _("%(scope)s · cadre points ranking %(period)s") % {
            "scope": scope_label,
            "period": filters.period.label,
        }
    # Outside the f-string, where makemessages can find it.
    mark = _("(provisional)")
    return f"{title} {mark}" if provisional else title


def ranking_xlsx(
    ranking: Ranking, *, scope_label: str, filters: RankingFilters, today: dt.date
) -> HttpResponse:
    rows = ranking.all()
    wb = Workbook()
    headers = [
        pgettext("ranking", "Rank"),
        _("Name"),
        _("Tier"),
        _("Home bureau"),
        _("Police station"),
        _("Station's bureau"),
        pgettext("ranking", "Points"),
        pgettext("ranking", "Rank in tier"),
        pgettext("ranking", "Overall rank"),
        pgettext("ranking", "Movement"),
    ]
    ws = titled_sheet(
        wb,
        name=pgettext("ranking", "Ranking"),
        title=ranking_title(
            scope_label=scope_label, filters=filters, provisional=ranking.provisional
        ),
        notes=[_("Exported on %(day)s") % {"day": today.isoformat()}],
        headers=headers,
        widths=WIDTHS,
    )
    for row in rows:
        ws.append(
            [
                row.rank_here,
                row.name,
                row.tier_label,
                row.bureau,
                row.station,
                row.station_bureau,
                row.points,
                row.rank_in_tier,
                row.rank_overall,
                str(row.movement),
            ]
        )
    for column in ws.iter_cols(min_col=7, max_col=7, min_row=HEADER_ROW + 1):
        for cell in column:
            cell.number_format = "0.0"
    print_a4_landscape(ws)
    ws.oddFooter.center.text = _("Page &P of &N")
    filename = f"ranking-{filters.period.kind}-{filters.period.first:%Y%m}.xlsx"
    return workbook_response(wb, filename)
