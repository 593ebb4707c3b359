"""Two-way evaluation (双向评议): the database constraints, the one-page forms of station staff
and cadres (bad input, a second submission, scope), the anonymous aggregate (threshold,
quarter end, no names), the bureau's page, the admin."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from scoring.evaluations import services
from scoring.models import Evaluation, EvaluationDimension, EvaluationScore
from scoring.services.ranking import freeze_month
from tests import factories as f
from tests.scoring.evaluation_helpers import Q3, Q4, dimensions, rate, seed_dimensions, staff
from tests.scoring.ranking_helpers import NOV, SEP, earn

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SH)  # Q4 runs; Q3 has ended
TOO_FEW = "评价人数不足，暂不显示"
UNDER_WAY = "本季度评议正在进行，季度结束后显示结果"


@pytest.fixture(autouse=True)
def default_dimensions(db):
    seed_dimensions()


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def assignment(personas):
    return personas.cadre.cadre.assignments.get()


def form_data(scores, comment=""):
    """POST data of the form: ``scores`` in the order of the cadre's dimensions."""
    dims = dimensions("of_cadre")
    data = {f"dimension_{d.pk}": str(s) for d, s in zip(dims, scores, strict=False) if s}
    return {**data, "comment": comment}


def evaluate_url(assignment):
    return reverse("scoring:evaluate-cadre", args=[assignment.pk])


# --- Constraints ------------------------------------------------------------------------------


@pytest.mark.parametrize("score", [0, 6])
def test_the_database_refuses_a_score_outside_1_to_5(assignment, personas, score):
    evaluation = f.EvaluationFactory(assignment=assignment, rater=personas.station)
    with pytest.raises(IntegrityError), transaction.atomic():
        f.EvaluationScoreFactory(evaluation=evaluation, dimension=dimensions()[0], score=score)


def test_the_database_keeps_one_evaluation_per_rater_quarter_and_direction(assignment, personas):
    f.EvaluationFactory(assignment=assignment, rater=personas.station)
    with pytest.raises(IntegrityError), transaction.atomic():
        f.EvaluationFactory(assignment=assignment, rater=personas.station)
    # Another quarter, or the other direction, is another evaluation.
    f.EvaluationFactory(assignment=assignment, rater=personas.station, quarter=Q4)
    f.EvaluationFactory(assignment=assignment, rater=personas.cadre, direction="of_station")
    assert Evaluation.objects.count() == 3


def test_the_database_lets_the_station_be_rated_once_a_quarter_whoever_rates(assignment, personas):
    f.EvaluationFactory(assignment=assignment, rater=personas.cadre, direction="of_station")
    with pytest.raises(IntegrityError), transaction.atomic():
        f.EvaluationFactory(assignment=assignment, rater=personas.admin, direction="of_station")


def test_the_database_keeps_one_score_per_dimension(assignment, personas):
    evaluation = f.EvaluationFactory(assignment=assignment, rater=personas.station)
    f.EvaluationScoreFactory(evaluation=evaluation, dimension=dimensions()[0], score=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        f.EvaluationScoreFactory(evaluation=evaluation, dimension=dimensions()[0], score=5)


@pytest.mark.parametrize(
    ("quarter", "submitted_on"),
    [
        (dt.date(2027, 1, 1), dt.date(2026, 12, 31)),  # the quarter has not started
        (dt.date(2026, 8, 1), dt.date(2026, 8, 1)),  # not the first day of a quarter
    ],
)
def test_the_database_refuses_a_quarter_that_has_not_started_or_is_no_quarter(
    assignment, personas, quarter, submitted_on
):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.EvaluationFactory(
            assignment=assignment,
            rater=personas.station,
            quarter=quarter,
            submitted_on=submitted_on,
        )


# --- The service ------------------------------------------------------------------------------


def test_an_evaluation_is_recorded_for_the_current_quarter_with_every_score(assignment, personas):
    scores = dict(zip([d.pk for d in dimensions()], [5, 4, 3, 5], strict=True))
    evaluation = services.submit_evaluation(
        assignment=assignment, rater=personas.station, scores=scores, comment=" 很好 ", now=NOW
    )
    assert (evaluation.quarter, evaluation.direction, evaluation.comment) == (
        Q4,
        "of_cadre",
        "很好",
    )
    assert evaluation.submitted_on == dt.date(2026, 11, 20)
    assert dict(evaluation.scores.values_list("dimension_id", "score")) == scores


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("other_station", "只有本所人员和包联干部可以评议"),
        ("bureau", "只有本所人员和包联干部可以评议"),
    ],
)
def test_only_the_stations_staff_and_its_cadre_may_evaluate(assignment, org, who, message):
    rater = {
        "other_station": f.UserFactory(role="station", bureau=None, station=org.s_jiangan2),
        "bureau": f.UserFactory(role="bureau", bureau=org.jiangan),
    }[who]
    scores = {d.pk: 5 for d in dimensions()}
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        services.submit_evaluation(assignment=assignment, rater=rater, scores=scores, now=NOW)
    assert message in error.value.messages[0]
    assert not Evaluation.objects.exists()


def test_an_assignment_that_ended_before_the_quarter_cannot_be_evaluated(org, personas):
    old = f.AssignmentFactory(
        cadre=f.CadreFactory(bureau=org.jiangan, tier="county"),
        station=org.s_jiangan,
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2025, 12, 31),
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        services.submit_evaluation(
            assignment=old,
            rater=personas.station,
            scores={d.pk: 5 for d in dimensions()},
            now=NOW,
        )
    assert "不在本季度" in error.value.messages[0]
    assert not Evaluation.objects.exists()


# --- The station staff's form -----------------------------------------------------------------


def test_station_staff_see_one_form_with_every_item_as_1_to_5_and_a_comment(
    client, personas, assignment
):
    client.force_login(personas.station)
    page = client.get(evaluate_url(assignment)).content.decode()
    for name in ("走访实效", "问题发现", "帮扶指导", "工作作风"):
        assert f"<legend>{name}</legend>" in page
    assert page.count('type="radio"') == 4 * 5
    assert 'name="comment"' in page
    assert "2026年第4季度" in page
    assert "匿名" in page and "至少 3 名" in page


def test_a_complete_form_is_saved_and_the_page_then_shows_it_as_final(client, personas, assignment):
    client.force_login(personas.station)
    response = client.post(evaluate_url(assignment), form_data([5, 4, 5, 3], "帮助很大"))

    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert (evaluation.rater, evaluation.quarter, evaluation.comment) == (
        personas.station,
        Q4,
        "帮助很大",
    )
    assert sorted(evaluation.scores.values_list("score", flat=True)) == [3, 4, 5, 5]
    page = client.get(evaluate_url(assignment)).content.decode()
    assert "评议已提交" in page
    assert "2026-11-20" in page and "不能修改" in page
    assert 'type="radio"' not in page


@pytest.mark.parametrize(
    ("scores", "comment", "message"),
    [
        ([5, None, 5, 5], "", "请为“问题发现”选择 1 至 5 分"),
        ([5, 7, 5, 5], "", "请为“问题发现”选择 1 至 5 分"),
        ([5, "x", 5, 5], "", "请为“问题发现”选择 1 至 5 分"),
        ([5, 5, 5, 5], "长" * 501, "评议意见最多 500 个字"),
        ([], "", "请为“走访实效”选择 1 至 5 分"),
    ],
)
def test_bad_input_gets_a_chinese_message_and_writes_nothing(
    client, personas, assignment, scores, comment, message
):
    client.force_login(personas.station)
    response = client.post(evaluate_url(assignment), form_data(scores, comment))
    assert response.status_code == 400
    page = response.content.decode()
    assert "评议未提交" in page and message in page
    assert not Evaluation.objects.exists() and not EvaluationScore.objects.exists()


def test_a_second_submission_in_the_quarter_is_refused_and_changes_nothing(
    client, personas, assignment
):
    client.force_login(personas.station)
    client.post(evaluate_url(assignment), form_data([5, 5, 5, 5]))
    response = client.post(evaluate_url(assignment), form_data([1, 1, 1, 1], "改主意了"))
    assert response.status_code == 400
    assert "您本季度已评议过" in response.content.decode()
    assert Evaluation.objects.count() == 1
    assert set(EvaluationScore.objects.values_list("score", flat=True)) == {5}


def test_each_staff_member_evaluates_once_and_colleagues_still_can(
    client, org, personas, assignment
):
    colleague = staff(org.s_jiangan, 1)[0]
    client.force_login(personas.station)
    client.post(evaluate_url(assignment), form_data([5, 5, 5, 5]))
    client.force_login(colleague)
    assert client.post(evaluate_url(assignment), form_data([4, 4, 4, 4])).status_code == 302
    assert Evaluation.objects.count() == 2


def test_the_form_follows_the_dimensions_administrators_keep(client, personas, assignment):
    EvaluationDimension.objects.filter(name="工作作风").update(active=False)
    f.EvaluationDimensionFactory(direction="of_cadre", name="廉洁自律", position=9)
    client.force_login(personas.station)
    page = client.get(evaluate_url(assignment)).content.decode()
    assert "<legend>工作作风</legend>" not in page and "<legend>廉洁自律</legend>" in page
    assert page.count('type="radio"') == 4 * 5


def test_a_station_link_leads_staff_to_the_form(client, org, personas, assignment):
    client.force_login(personas.station)
    page = client.get(reverse("liaison:station-detail", args=[org.s_jiangan.pk]))
    assert evaluate_url(assignment) in page.content.decode()


# --- The cadre's form -------------------------------------------------------------------------


def test_the_cadre_rates_the_station_on_its_items_once_a_quarter(client, personas, assignment):
    url = reverse("scoring:evaluate-station", args=[assignment.pk])
    client.force_login(personas.cadre)
    page = client.get(url).content.decode()
    for name in ("配合程度", "整改落实", "基础工作"):
        assert f"<legend>{name}</legend>" in page
    assert "235机制办" in page  # who reads it
    data = {f"dimension_{d.pk}": "4" for d in dimensions("of_station")}
    assert client.post(url, {**data, "comment": "配合积极"}).status_code == 302
    assert client.post(url, data).status_code == 400
    evaluation = Evaluation.objects.get()
    assert (evaluation.direction, evaluation.rater) == ("of_station", personas.cadre)
    home = client.get(reverse("home")).content.decode()
    assert url in home


# --- Scope ------------------------------------------------------------------------------------


def test_staff_of_another_station_and_another_cadre_get_404(client, org, personas, assignment):
    client.force_login(f.UserFactory(role="station", bureau=None, station=org.s_jiangan2))
    assert client.get(evaluate_url(assignment)).status_code == 404
    assert client.post(evaluate_url(assignment), form_data([5, 5, 5, 5])).status_code == 404
    other = f.CadreFactory(bureau=org.jiangan, tier="county")
    f.AssignmentFactory(cadre=other, station=org.s_jiangan2)
    client.force_login(other.user)
    station_url = reverse("scoring:evaluate-station", args=[assignment.pk])
    assert client.get(station_url).status_code == 404
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize("persona", ["admin", "county_bureau", "leader", "cadre"])
def test_no_other_role_rates_a_cadre(client, personas, assignment, persona):
    client.force_login(getattr(personas, persona))
    assert client.post(evaluate_url(assignment), form_data([5, 5, 5, 5])).status_code == 403
    assert not Evaluation.objects.exists()


# --- Anonymity --------------------------------------------------------------------------------


def _my_points(client, personas, quarter=Q3):
    """The evaluation of ``quarter`` on the cadre's points page."""
    client.force_login(personas.cadre)
    return _quarter(client.get(reverse("scoring:my-points")).content.decode(), quarter)


def _quarter(page: str, quarter: dt.date) -> str:
    """The part of a page showing the station's rating of its cadre in ``quarter``."""
    block = page.split(f'data-quarter="{quarter:%Y-%m-%d}"', 1)[1]
    return block.split('<div class="quarter"', 1)[0].split("</section>", 1)[0]


def test_below_the_threshold_the_cadre_sees_neither_scores_nor_comments(
    client, org, personas, assignment
):
    a, b = staff(org.s_jiangan, 2)
    rate(assignment, a, [1, 2, 1, 2], comment="独一无二的意见")
    rate(assignment, b, 5)

    page = _my_points(client, personas)

    assert "2026年第3季度" in page and "大智派出所" in page and TOO_FEW in page
    assert "独一无二的意见" not in page
    assert "所长甲" not in page
    assert "1.50" not in page and "3.25" not in page


def test_from_the_threshold_on_the_cadre_sees_the_average_per_item_and_the_count(
    client, org, personas, assignment
):
    raters = staff(org.s_jiangan, 3)
    rate(assignment, raters[0], [5, 4, 5, 4], comment="B 走访扎实")
    rate(assignment, raters[1], [4, 4, 5, 5])
    rate(assignment, raters[2], [5, 3, 4, 5], comment="A 希望多指导")

    page = _my_points(client, personas)

    assert TOO_FEW not in page
    assert "3 人评价" in page
    for item in ("走访实效 <strong>4.67</strong>", "问题发现 <strong>3.67</strong>"):
        assert item in page
    assert "帮扶指导 <strong>4.67</strong>" in page and "工作作风 <strong>4.67</strong>" in page
    assert "4.42" in page  # the overall average of the 12 scores
    # Comments in aggregate: sorted by their text, without names or dates.
    assert page.index("A 希望多指导") < page.index("B 走访扎实")
    assert "所长甲" not in page and "2026-07-01" not in page


def test_nothing_is_shown_while_the_quarter_runs_however_many_rated(
    client, org, personas, assignment
):
    for rater in staff(org.s_jiangan, 4):
        rate(assignment, rater, 5, quarter=Q4, comment="本季度的意见")
    page = _my_points(client, personas, Q4)
    assert UNDER_WAY in page
    assert "本季度的意见" not in page and "5.00" not in page


def test_the_threshold_is_a_setting(client, org, personas, assignment, settings):
    settings.LIAISON_EVALUATION_MIN_RATERS = 4
    for rater in staff(org.s_jiangan, 3):
        rate(assignment, rater, 5)
    assert TOO_FEW in _my_points(client, personas)
    rate(assignment, personas.station, 5)
    assert TOO_FEW not in _my_points(client, personas)


def test_the_ranking_breakdown_shows_the_aggregate_only(client, org, personas, assignment):
    cadre = assignment.cadre
    earn(cadre, 5, SEP)
    earn(cadre, 2, NOV)
    freeze_month(month=SEP, now=dt.datetime(2026, 10, 1, 1, tzinfo=SH))
    for rater in staff(org.s_jiangan, 3):
        rate(assignment, rater, [5, 5, 4, 4], comment="指导到位")
    client.force_login(personas.county_bureau)
    url = reverse("scoring:ranking-breakdown", args=[cadre.pk])

    response = client.get(url, {"period": "quarter", "month": "2026-09"})
    quarter = _quarter(response.content.decode(), Q3)
    month = client.get(url, {"period": "month", "month": "2026-11"}).content.decode()
    row = client.get(
        url,
        {"period": "quarter", "month": "2026-09"},
        headers={"HX-Request": "true", "HX-Target": f"breakdown-{cadre.pk}"},
    )

    assert "走访实效 <strong>5.00</strong>" in quarter and "指导到位" in quarter
    assert "3 人评价" in quarter and "所长甲" not in quarter
    assert UNDER_WAY in _quarter(month, Q4) and "指导到位" not in month
    assert "走访实效 <strong>5.00</strong>" in row.content.decode()  # the expanded row too


# --- The bureau's page ------------------------------------------------------------------------


def test_the_bureau_sees_the_cadres_rating_of_the_station_and_the_staffs_aggregate(
    client, org, personas, assignment
):
    rate(
        assignment,
        personas.cadre,
        [5, 3, 4],
        direction="of_station",
        comment="整改还需加快",
    )
    a, b = staff(org.s_jiangan, 2)
    rate(assignment, a, 2, comment="不应显示的意见")
    rate(assignment, b, 2)
    client.force_login(personas.county_bureau)

    page = client.get(reverse("scoring:station-evaluations", args=[org.s_jiangan.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert str(personas.cadre) in text and "整改还需加快" in text and "4.00" in text
    for name in ("配合程度", "整改落实", "基础工作"):
        assert name in text
    assert TOO_FEW in _quarter(text, Q3)
    assert "不应显示的意见" not in text and "所长甲" not in text


def test_a_bureau_outside_the_stations_scope_gets_404(client, org, personas):
    client.force_login(personas.other_city_bureau)
    url = reverse("scoring:station-evaluations", args=[org.s_jiangan.pk])
    assert client.get(url).status_code == 404


def test_the_station_page_links_bureaus_to_the_evaluations(client, org, personas):
    client.force_login(personas.county_bureau)
    page = client.get(reverse("liaison:station-detail", args=[org.s_jiangan.pk]))
    url = reverse("scoring:station-evaluations", args=[org.s_jiangan.pk])
    assert url in page.content.decode()


def _station_with_raters(org, count):
    station = f.StationFactory(bureau=org.jiangan)
    cadre = f.CadreFactory(bureau=org.jiangan, tier="county")
    assignment = f.AssignmentFactory(cadre=cadre, station=station)
    rate(assignment, cadre.user, 4, direction="of_station", comment="配合")
    for rater in staff(station, count):
        rate(assignment, rater, 5, comment=f"意见{rater.pk}")
    return station


@pytest.mark.parametrize("raters", [1, 50])
def test_the_bureau_page_costs_the_same_queries_for_1_and_50_raters(
    client, org, personas, django_assert_num_queries, raters
):
    station = _station_with_raters(org, raters)
    client.force_login(personas.county_bureau)
    url = reverse("scoring:station-evaluations", args=[station.pk])
    # Session, user, bureau, station, assignments; the cadres' evaluations, their scores, the
    # columns; the staff's: counts, sums per item, comments; the page's own.
    with django_assert_num_queries(12):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("raters", [1, 50])
def test_the_points_page_costs_the_same_queries_for_1_and_50_raters(
    client, org, personas, assignment, django_assert_num_queries, raters
):
    for rater in staff(org.s_jiangan, raters):
        rate(assignment, rater, 5, comment=f"意见{rater.pk}")
    client.force_login(personas.cadre)
    with django_assert_num_queries(12):
        assert client.get(reverse("scoring:my-points")).status_code == 200


# --- Admin ------------------------------------------------------------------------------------


def test_administrators_edit_the_dimensions_and_only_read_the_ratings(client, personas, assignment):
    client.force_login(personas.admin)
    response = client.post(
        reverse("admin:scoring_evaluationdimension_add"),
        {
            "direction": "of_station",
            "name": "警务公开",
            "description": "",
            "position": 4,
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert "警务公开" in [d.name for d in dimensions("of_station")]

    evaluation = rate(assignment, personas.station, 4)
    change = reverse("admin:scoring_evaluation_change", args=[evaluation.pk])
    assert client.get(change).status_code == 200
    assert client.get(reverse("admin:scoring_evaluation_changelist")).status_code == 200
    assert client.get(reverse("admin:scoring_evaluation_add")).status_code == 403
    client.post(change, {"comment": "改过"})
    evaluation.refresh_from_db()
    assert evaluation.comment == ""
    delete = reverse("admin:scoring_evaluation_delete", args=[evaluation.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Evaluation.objects.filter(pk=evaluation.pk).exists()
