"""Administrators edit the checklists without code, with history."""

from django.urls import reverse

from checklists.models import ChecklistItem, ChecklistTemplate


def test_an_administrator_edits_template_items_inline(login, personas):
    template = ChecklistTemplate.objects.get(code="five_haves")
    client = login(personas.admin)
    url = reverse("admin:checklists_checklisttemplate_change", args=[template.pk])
    assert client.get(url).status_code == 200
    items = list(template.items.order_by("order", "pk"))
    data = {"code": template.code, "name": template.name}
    data.update(
        {
            "items-TOTAL_FORMS": str(len(items) + 1),
            "items-INITIAL_FORMS": str(len(items)),
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
        }
    )
    for i, item in enumerate(items):
        data.update(
            {
                f"items-{i}-id": str(item.pk),
                f"items-{i}-template": str(template.pk),
                f"items-{i}-order": str(item.order),
                f"items-{i}-code": item.code,
                f"items-{i}-label": "有热水供应" if item.code == "you-reshui" else item.label,
                f"items-{i}-active": "on",
            }
        )
    n = len(items)
    data.update(
        {
            f"items-{n}-template": str(template.pk),
            f"items-{n}-order": "60",
            f"items-{n}-code": "you-yundong",
            f"items-{n}-label": "有运动场所",
            f"items-{n}-active": "on",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ChecklistItem.objects.get(code="you-reshui").label == "有热水供应"
    assert ChecklistItem.objects.get(code="you-yundong").history.count() == 1
    assert ChecklistItem.objects.get(code="you-reshui").history.count() == 1


def test_bureau_staff_do_not_reach_the_checklist_admin(login, personas):
    url = reverse("admin:checklists_checklisttemplate_changelist")
    assert login(personas.province_bureau).get(url).status_code == 302
