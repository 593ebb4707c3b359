"""Station standards (五有): audits, the province-wide view, unmet items → problems."""

import io

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from PIL import Image

from checklists.models import (
    AuditPhoto,
    AuditResult,
    Problem,
    ProblemCategory,
    ProblemStatus,
    StationAudit,
)
from checklists.services.standards import five_haves_items
from tests import factories as f
from tests.checklists.conftest import image_bytes, upload
from tests.checklists.five_haves_helpers import DAY, audit_station

HOT_WATER = "you-reshui"
DUTY_ROOM = "you-zhibanshi"


def _post_data(day="2026-11-18", unmet=(), notes=None, **extra):
    data = {"audited_on": day, "note": ""}
    for item in five_haves_items():
        data[f"met_{item.pk}"] = "0" if item.code in unmet else "1"
        data[f"note_{item.pk}"] = (notes or {}).get(item.code, "缺少" if item.code in unmet else "")
    data.update(extra)
    return data


def _item(code):
    return five_haves_items().get(code=code)


# --- the audit form -----------------------------------------------------------------------


def test_bureau_staff_record_an_audit_with_one_result_per_item(login, org, personas, frozen):
    client = login(personas.county_bureau)
    url = reverse("checklists:audit-new", args=[org.s_jiangan.pk])
    response = client.post(url, _post_data(unmet=[HOT_WATER]))
    audit = StationAudit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("checklists:audit-detail", args=[audit.pk])
    assert audit.auditor == personas.county_bureau and audit.is_latest
    assert audit.unmet_count == 1 and not audit.meets_standard
    results = {r.item.code: r.met for r in audit.results.select_related("item")}
    assert len(results) == 5 and results[HOT_WATER] is False
    page = client.get(response["Location"]).content.decode()
    assert "有热水" in page and "未达标" in page
    assert audit.history.count() == 1  # the audit's change history


def test_the_station_cadre_audits_their_station_but_no_other(login, org, personas, frozen):
    client = login(personas.cadre)
    mine = reverse("checklists:audit-new", args=[org.s_jiangan.pk])
    assert client.post(mine, _post_data()).status_code == 302
    other = reverse("checklists:audit-new", args=[org.s_jiangan2.pk])
    assert client.post(other, _post_data()).status_code == 404
    assert StationAudit.objects.count() == 1


def test_a_future_date_is_refused_in_chinese_and_nothing_is_written(login, org, personas, frozen):
    client = login(personas.county_bureau)
    url = reverse("checklists:audit-new", args=[org.s_jiangan.pk])
    response = client.post(url, _post_data(day="2026-11-19"))
    assert response.status_code == 400
    assert "检查日期不能晚于今天" in response.content.decode()
    assert not StationAudit.objects.exists() and not AuditResult.objects.exists()


def test_every_item_must_be_marked_and_an_unmet_item_needs_a_note(login, org, personas, frozen):
    client = login(personas.county_bureau)
    url = reverse("checklists:audit-new", args=[org.s_jiangan.pk])
    data = _post_data(unmet=[DUTY_ROOM], notes={DUTY_ROOM: ""})
    del data[f"met_{_item(HOT_WATER).pk}"]
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "请标记该项达标或未达标" in page and "请说明缺少什么" in page
    assert not StationAudit.objects.exists()


def test_the_form_lists_the_active_items_only(login, org, personas, frozen):
    _item(DUTY_ROOM).__class__.objects.filter(code=DUTY_ROOM).update(active=False)
    page = login(personas.county_bureau).get(
        reverse("checklists:audit-new", args=[org.s_jiangan.pk])
    )
    text = page.content.decode()
    assert "有热水" in text and "有值班室" not in text


def test_a_photo_is_kept_and_served_without_its_exif(login, org, personas, frozen, media_root):
    gps = (((30.0, 35.0, 24.0), "N"), ((114.0, 18.0, 0.0), "E"))
    client = login(personas.county_bureau)
    item = _item(HOT_WATER)
    data = _post_data(unmet=[HOT_WATER])
    data[f"photos_{item.pk}"] = [upload("boiler.jpg", image_bytes(gps=gps))]
    client.post(reverse("checklists:audit-new", args=[org.s_jiangan.pk]), data)
    photo = AuditPhoto.objects.get()
    assert photo.result.item == item and photo.content_type == "image/jpeg"
    served = client.get(reverse("checklists:audit-photo", args=[photo.pk]))
    assert served.status_code == 200
    assert not Image.open(io.BytesIO(served.content)).getexif()
    outsider = login(personas.other_city_bureau)
    assert outsider.get(reverse("checklists:audit-photo", args=[photo.pk])).status_code == 404


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_written(
    login, org, personas, frozen, media_root
):
    client = login(personas.county_bureau)
    data = _post_data()
    data[f"photos_{_item(HOT_WATER).pk}"] = [upload("boiler.jpg", b"%PDF-1.4 not an image")]
    response = client.post(reverse("checklists:audit-new", args=[org.s_jiangan.pk]), data)
    assert response.status_code == 400
    assert "不是 JPEG 或 PNG 格式的照片" in response.content.decode()
    assert not StationAudit.objects.exists()
    assert not (media_root.exists() and any(p.is_file() for p in media_root.rglob("*")))


# --- the latest audit and the database's rules -----------------------------------------------


def test_the_latest_audit_by_date_decides_even_when_an_older_one_is_logged_later(org, personas):
    bureau = personas.county_bureau
    newer = audit_station(org.s_jiangan, by=bureau, unmet=[HOT_WATER], day=DAY)
    older = audit_station(org.s_jiangan, by=bureau, day=DAY.replace(day=1))
    newer.refresh_from_db()
    older.refresh_from_db()
    assert newer.is_latest and not older.is_latest
    fixed = audit_station(org.s_jiangan, by=bureau, day=DAY)
    newer.refresh_from_db()
    assert fixed.is_latest and not newer.is_latest


def test_the_database_keeps_one_result_per_item_and_one_latest_audit(org, personas):
    audit = audit_station(org.s_jiangan, by=personas.county_bureau)
    result = audit.results.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditResult.objects.create(audit=audit, item=result.item, label="x", met=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        StationAudit.objects.create(
            station=org.s_jiangan, audited_on=DAY, auditor=personas.county_bureau, is_latest=True
        )
    problem = f.ProblemFactory(station=org.s_jiangan)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditResult.objects.filter(pk=result.pk).update(problem=problem)  # a met item


# --- unmet items → problems -----------------------------------------------------------------


def test_an_unmet_item_becomes_one_draft_problem_linked_to_the_audit(login, org, personas, frozen):
    audit = audit_station(org.s_jiangan, by=personas.county_bureau, unmet=[HOT_WATER])
    result = audit.results.get(item__code=HOT_WATER)
    client = login(personas.city_bureau)
    url = reverse("checklists:audit-raise-problem", args=[result.pk])
    first = client.post(url, {})
    again = client.post(url, {})
    problem = Problem.objects.get()
    assert first.status_code == again.status_code == 302
    assert problem.status == ProblemStatus.DRAFT and problem.category.code == "equipment"
    assert problem.station == org.s_jiangan and "有热水" in problem.description
    assert problem.raised_by == personas.city_bureau
    result.refresh_from_db()
    assert result.problem == problem
    page = client.get(reverse("checklists:audit-detail", args=[audit.pk])).content.decode()
    assert reverse("checklists:problem-detail", args=[problem.pk]) in page
    assert "草稿" in page
    assert result.history.count() == 2  # recorded, then linked to its problem


def test_bureau_staff_may_pick_another_category(login, org, personas, frozen):
    audit = audit_station(org.s_jiangan, by=personas.county_bureau, unmet=[DUTY_ROOM])
    result = audit.results.get(item__code=DUTY_ROOM)
    team = ProblemCategory.objects.get(code="team-management")
    login(personas.county_bureau).post(
        reverse("checklists:audit-raise-problem", args=[result.pk]), {"category": team.pk}
    )
    assert Problem.objects.get().category == team


def test_a_met_item_does_not_become_a_problem(login, org, personas, frozen):
    audit = audit_station(org.s_jiangan, by=personas.county_bureau)
    result = audit.results.first()
    client = login(personas.county_bureau)
    response = client.post(
        reverse("checklists:audit-raise-problem", args=[result.pk]), {}, follow=True
    )
    assert "只有未达标的项目才能转为问题" in response.content.decode()
    assert not Problem.objects.exists()


@pytest.mark.parametrize("persona", ["cadre", "leader", "station"])
def test_only_bureau_staff_turn_items_into_problems(login, org, personas, persona, frozen):
    audit = audit_station(org.s_jiangan, by=personas.county_bureau, unmet=[HOT_WATER])
    result = audit.results.get(item__code=HOT_WATER)
    client = login(getattr(personas, persona))
    assert (
        "转为问题"
        not in client.get(reverse("checklists:audit-detail", args=[audit.pk])).content.decode()
    )
    response = client.post(reverse("checklists:audit-raise-problem", args=[result.pk]), {})
    assert response.status_code == 403 and not Problem.objects.exists()
