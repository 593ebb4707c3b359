"""Two liaison offices assign the same officer to two stations on overlapping dates at the
same moment: the row lock on the officer lets one through and refuses the other cleanly."""

import datetime as dt
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from checklists.models import SupportCover
from checklists.services import support as services
from tests import factories as f
from tests.checklists.conftest import NOW
from tests.checklists.support_data import TODAY, officer, request_for, seed_skills


@pytest.mark.django_db(transaction=True)
def test_concurrent_assignments_of_one_officer_let_only_one_through(org, personas, monkeypatch):
    seed_skills()
    # Widen the window between the "is the officer free?" check and the insert.
    real_insert = services.bulk_create_with_history

    def slow_insert(*args, **kwargs):
        time.sleep(0.5)
        return real_insert(*args, **kwargs)

    monkeypatch.setattr(services, "bulk_create_with_history", slow_insert)
    shared = officer(org.wuhan, "huji", name="王共用")
    other = f.UserFactory(role="station", bureau=None, station=org.s_jianghan)
    first = request_for(personas.station, "huji")
    second = request_for(other, "huji", end=first.end_date + dt.timedelta(days=3))
    barrier = threading.Barrier(2)
    outcomes = []

    def assign(req):
        try:
            barrier.wait(timeout=10)
            services.assign_officer(
                request=req, officer=shared, by=personas.city_bureau, today=TODAY, now=NOW
            )
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(r,)) for r in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes)[0] == "ok" and "王共用 已安排于" in sorted(outcomes)[1]
    assert SupportCover.objects.filter(officer=shared).count() == 1
