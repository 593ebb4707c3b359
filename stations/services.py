"""Write services for the organisation tree."""

from django.db import transaction
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Concat

from stations.models import Bureau, Tier


@transaction.atomic
def rebuild_bureau_paths() -> None:
    """Recompute every bureau's materialised path from its parent chain, one level at a time.

    Three set-based updates (province, city, county); the repair path after any change of
    codes or parents.
    """
    Bureau.objects.filter(tier=Tier.PROVINCE).update(path=F("code"))
    for tier in (Tier.CITY, Tier.COUNTY):
        parent_path = Bureau.objects.filter(pk=OuterRef("parent_id")).values("path")[:1]
        Bureau.objects.filter(tier=tier).update(
            path=Concat(Subquery(parent_path), Value("/"), F("code"))
        )


@transaction.atomic
def create_bureau(
    *, name: str, code: str, tier: str, parent: Bureau | None, directly_administered=False
) -> Bureau:
    path = code if parent is None else f"{parent.path}/{code}"
    bureau = Bureau(
        name=name,
        code=code,
        tier=tier,
        parent=parent,
        directly_administered=directly_administered,
        path=path,
    )
    bureau.full_clean()
    bureau.save()
    return bureau
