"""The opinion list (意见清单): submission (anonymous stores no user anywhere), review into a
draft problem or dismissal, scope, and a list whose queries do not grow with its rows."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from checklists.models import Opinion, OpinionStatus, Problem, ProblemCategory, ProblemStatus
from checklists.services.opinions import accept_opinion, dismiss_opinion, submit_opinion
from tests import factories as f
from tests.checklists.conftest import NOW

TEXT = "夜间值班只有两人，接处警压力大"


def _category(code="team-management"):
    return ProblemCategory.objects.get(code=code)


def _submit(user, anonymous=False, text=TEXT):
    return submit_opinion(
        station=user.station,
        by=user,
        category=_category(),
        text=text,
        anonymous=anonymous,
        now=NOW,
    )


def test_an_anonymous_opinion_sent_from_the_page_stores_no_user_anywhere(login, org, personas):
    client = login(personas.station)
    response = client.post(
        reverse("checklists:opinion-new"),
        {"category": _category().pk, "text": TEXT, "anonymous": "on"},
    )
    assert response.status_code == 302
    opinion = Opinion.objects.get()
    assert opinion.anonymous and opinion.submitted_by_id is None
    history = list(opinion.history.all())
    assert history and all(h.history_user_id is None and h.submitted_by_id is None for h in history)
    # Review by bureau staff does not bring a user into its history either.
    accept_opinion(opinion=opinion, by=personas.county_bureau, now=NOW)
    assert all(h.history_user_id is None for h in Opinion.history.filter(id=opinion.pk))
    assert Opinion.history.filter(id=opinion.pk).count() == 2
    page = login(personas.county_bureau).get(
        reverse("checklists:opinion-detail", args=[opinion.pk])
    )
    html = page.content.decode()
    assert "匿名" in html and str(personas.station) not in html
    # At a small station the minute it was sent could name the sender: the day only.
    submitter = html[html.index('id="opinion-submitter"') :].split("</td>")[0]
    assert re.search(r"\d{4}-\d{2}-\d{2}", submitter) and not re.search(r"\d{2}:\d{2}", submitter)


def test_a_double_submit_adds_one_opinion_even_anonymously(login, org, personas):
    client = login(personas.station)
    data = {"category": _category().pk, "text": TEXT, "anonymous": "on"}
    assert client.post(reverse("checklists:opinion-new"), data).status_code == 302
    again = client.post(reverse("checklists:opinion-new"), data)
    assert again.status_code == 400
    assert "该意见已在意见清单中等待审核，请勿重复提交。" in again.content.decode()
    assert Opinion.objects.count() == 1 and Opinion.history.count() == 1


def test_a_named_opinion_keeps_its_submitter(login, org, personas):
    client = login(personas.station)
    client.post(reverse("checklists:opinion-new"), {"category": _category().pk, "text": TEXT})
    opinion = Opinion.objects.get()
    assert not opinion.anonymous and opinion.submitted_by == personas.station
    assert opinion.history.get().history_user == personas.station


def test_the_database_refuses_an_anonymous_opinion_with_a_user(org, personas):
    with pytest.raises(IntegrityError), transaction.atomic():
        Opinion.objects.create(
            station=org.s_jiangan,
            category=_category(),
            text=TEXT,
            anonymous=True,
            submitted_by=personas.station,
        )


@pytest.mark.parametrize(("text", "message"), [("   ", "请填写意见内容"), ("长" * 2001, "2000")])
def test_a_bad_opinion_is_refused_and_nothing_is_written(org, personas, text, message):
    with pytest.raises(ValidationError, match=message):
        _submit(personas.station, text=text)
    assert not Opinion.objects.exists()


def test_only_station_staff_submit_opinions(login, org, personas):
    for persona in (personas.county_bureau, personas.cadre):
        assert login(persona).get(reverse("checklists:opinion-new")).status_code == 403
    with pytest.raises(ValidationError):
        submit_opinion(
            station=org.s_jiangan,
            by=personas.county_bureau,
            category=_category(),
            text=TEXT,
            anonymous=False,
            now=NOW,
        )


def test_accepting_turns_the_opinion_into_a_linked_draft_problem(login, org, personas):
    opinion = _submit(personas.station, anonymous=True)
    client = login(personas.county_bureau)
    response = client.post(
        reverse("checklists:opinion-accept", args=[opinion.pk]),
        {"category": _category("equipment").pk},
    )
    problem = Problem.objects.get()
    assert response["Location"] == reverse("checklists:problem-detail", args=[problem.pk])
    assert problem.status == ProblemStatus.DRAFT and TEXT in problem.description
    assert problem.raised_by == personas.county_bureau and problem.category.code == "equipment"
    opinion.refresh_from_db()
    assert opinion.status == OpinionStatus.ACCEPTED and opinion.problem == problem
    page = client.get(response["Location"]).content.decode()
    assert "来自 2026-11-18 的意见清单" in page and TEXT in page
    # Accepting twice is refused and makes no second problem.
    with pytest.raises(ValidationError, match="已审核"):
        accept_opinion(opinion=opinion, by=personas.county_bureau, now=NOW)
    assert Problem.objects.count() == 1


def test_dismissing_needs_a_reason(login, org, personas):
    opinion = _submit(personas.station)
    client = login(personas.county_bureau)
    response = client.post(
        reverse("checklists:opinion-dismiss", args=[opinion.pk]), {"reason": ""}, follow=True
    )
    assert "请填写不予采纳的理由" in response.content.decode()
    opinion.refresh_from_db()
    assert opinion.status == OpinionStatus.SUBMITTED
    dismiss_opinion(opinion=opinion, by=personas.county_bureau, reason="已于上月解决", now=NOW)
    opinion.refresh_from_db()
    assert opinion.status == OpinionStatus.DISMISSED and not Problem.objects.exists()


def test_opinions_out_of_scope_answer_404(login, org, personas):
    opinion = _submit(personas.station)
    for persona in (personas.other_city_bureau, personas.other_province_bureau):
        client = login(persona)
        assert (
            client.get(reverse("checklists:opinion-detail", args=[opinion.pk])).status_code == 404
        )
        response = client.post(reverse("checklists:opinion-accept", args=[opinion.pk]), {})
        assert response.status_code == 404
    other_station = f.UserFactory(role="station", bureau=None, station=org.s_jiangan2)
    response = login(other_station).get(reverse("checklists:opinion-detail", args=[opinion.pk]))
    assert response.status_code == 404
    assert not Problem.objects.exists()


def test_a_leader_reads_but_cannot_review(login, org, personas):
    opinion = _submit(personas.station)
    client = login(personas.leader)
    page = client.get(reverse("checklists:opinion-detail", args=[opinion.pk])).content.decode()
    assert TEXT in page and "采纳为问题" not in page
    response = client.post(reverse("checklists:opinion-accept", args=[opinion.pk]), {})
    assert response.status_code == 403


@pytest.mark.parametrize("count", [1, 30])
def test_the_opinion_list_costs_the_same_queries_for_1_or_30_rows(
    login, org, personas, count, django_assert_num_queries
):
    for i in range(count):
        _submit(personas.station, anonymous=bool(i % 2), text=f"{TEXT}{i}")
    client = login(personas.city_bureau)
    client.get(reverse("checklists:opinion-list"))
    with django_assert_num_queries(5):
        response = client.get(reverse("checklists:opinion-list"))
    assert response.content.decode().count("opinion-submitted") == count
