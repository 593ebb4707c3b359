"""The assignment planner as a pure function: no database."""

import itertools
import random
import time

import pytest
from django.utils import translation

from liaison.maxflow import FlowGraph
from liaison.planner import (
    PlanCadre,
    PlanStation,
    Province,
    Reason,
    plan_assignments,
    plan_by_province,
)
from liaison.rules import in_jurisdiction
from stations.split import tier_targets

PROVINCE = "420000"
WUHAN = "420000/420100"
JIANGAN = "420000/420100/420102"
JIANGHAN = "420000/420100/420103"
YICHANG = "420000/420500"
XILING = "420000/420500/420502"
XIANTAO = "420000/429004"  # directly administered: holds stations and county-tier cadres
HUNAN = "430000"
CHANGSHA = "430000/430100"
FURONG = "430000/430100/430102"
NAMES = {
    PROVINCE: "湖北省公安厅",
    WUHAN: "武汉市公安局",
    JIANGAN: "江岸区公安分局",
    JIANGHAN: "江汉区公安分局",
    YICHANG: "宜昌市公安局",
    XILING: "西陵区公安分局",
    XIANTAO: "仙桃市公安局",
    HUNAN: "湖南省公安厅",
    CHANGSHA: "长沙市公安局",
    FURONG: "芙蓉区公安分局",
}


def stations(*specs: tuple[str, int]) -> list[PlanStation]:
    """``("JIANGAN", 2)`` → two stations of 江岸, numbered in code order across all specs."""
    out = []
    for path, count in specs:
        for _ in range(count):
            n = len(out) + 1
            out.append(PlanStation(n, f"第{n}派出所", path, f"S{n:04d}", NAMES.get(path, path)))
    return out


def cadres(*specs: tuple[str, str, int]) -> list[PlanCadre]:
    """``("county", JIANGAN, 2)`` → two county cadres homed at 江岸; ids start at 101."""
    out = []
    for tier, path, count in specs:
        for _ in range(count):
            n = len(out) + 101
            out.append(PlanCadre(n, f"干部{n}", tier, path, NAMES.get(path, path)))
    return out


def plan(station_list, cadre_list, *, actual=None, total=None):
    actual = actual or {}
    total = total if total is not None else len(station_list) + sum(actual.values())
    return plan_assignments(
        stations=station_list, cadres=cadre_list, targets=tier_targets(total), actual=actual
    )


def assert_valid(result, station_list, cadre_list):
    """Each station once, each cadre once, every pair within jurisdiction."""
    assert len({p.station.id for p in result.pairs}) == len(result.pairs)
    assert len({p.cadre.id for p in result.pairs}) == len(result.pairs)
    assert {p.station for p in result.pairs} <= set(station_list)
    assert {p.cadre for p in result.pairs} <= set(cadre_list)
    for p in result.pairs:
        assert in_jurisdiction(
            cadre_bureau_path=p.cadre.bureau_path, station_bureau_path=p.station.bureau_path
        )


def english(result) -> list[str]:
    with translation.override("en"):
        return [reason.message for reason in result.reasons]


# 10 stations → 2 / 3 / 5.
FEASIBLE = [
    pytest.param(
        stations((JIANGAN, 4), (JIANGHAN, 3), (XILING, 3)),
        cadres(
            ("province", PROVINCE, 2),
            ("city", WUHAN, 2),
            ("city", YICHANG, 1),
            ("county", JIANGAN, 2),
            ("county", JIANGHAN, 2),
            ("county", XILING, 1),
        ),
        id="exactly-enough-cadres",
    ),
    pytest.param(
        stations((JIANGAN, 4), (JIANGHAN, 3), (XILING, 3)),
        cadres(
            ("province", PROVINCE, 5),
            ("city", WUHAN, 4),
            ("city", YICHANG, 4),
            ("county", JIANGAN, 4),
            ("county", JIANGHAN, 3),
            ("county", XILING, 3),
        ),
        id="more-cadres-than-needed",
    ),
    pytest.param(
        # Only Wuhan has city cadres, so the province must take Yichang's leftovers.
        stations((JIANGAN, 3), (JIANGHAN, 3), (XILING, 4)),
        cadres(
            ("province", PROVINCE, 2),
            ("city", WUHAN, 3),
            ("county", JIANGAN, 2),
            ("county", JIANGHAN, 1),
            ("county", XILING, 2),
        ),
        id="province-and-county-share-yichang",
    ),
    pytest.param(
        stations((XIANTAO, 4), (JIANGAN, 6)),
        cadres(
            ("province", PROVINCE, 2),
            ("city", XIANTAO, 1),
            ("city", WUHAN, 2),
            ("county", XIANTAO, 3),
            ("county", JIANGAN, 2),
        ),
        id="directly-administered-city-hosts-county-cadres",
    ),
]


@pytest.mark.parametrize(("station_list", "cadre_list"), FEASIBLE)
def test_feasible_plan_covers_every_station_and_meets_targets_exactly(station_list, cadre_list):
    result = plan(station_list, cadre_list)

    assert_valid(result, station_list, cadre_list)
    assert result.complete
    assert result.reasons == ()
    assert len(result.pairs) == len(station_list)
    assert result.after == {"province": 2, "city": 3, "county": 5} == result.targets
    assert result.uncovered_after == 0


def test_plan_fills_only_what_is_missing_on_top_of_current_assignments():
    # 10 stations, 6 already covered: 1 province, 2 city, 3 county → need 1 / 1 / 2.
    station_list = stations((JIANGAN, 2), (JIANGHAN, 2))
    cadre_list = cadres(("province", PROVINCE, 3), ("city", WUHAN, 3), ("county", JIANGAN, 3))
    result = plan(station_list, cadre_list, actual={"province": 1, "city": 2, "county": 3})

    assert result.complete
    assert result.before == {"province": 1, "city": 2, "county": 3}
    assert result.after == {"province": 2, "city": 3, "county": 5}
    assert [line.proposed for line in result.tiers] == [1, 1, 2]


def test_county_cadres_cover_only_stations_of_their_own_county():
    station_list = stations((JIANGAN, 1), (JIANGHAN, 1))
    cadre_list = cadres(("county", JIANGAN, 2))
    result = plan(station_list, cadre_list)  # 2 stations → 0 / 1 / 1

    assert [(p.station.bureau_path, p.cadre.bureau_path) for p in result.pairs] == [
        (JIANGAN, JIANGAN)
    ]
    assert not result.complete
    assert english(result) == [
        "The city tier needs 1 more cadre but has only 0 free.",
        "1 uncovered station in 江汉区公安分局 has no eligible free cadre.",
    ]


def test_city_cadres_cover_only_stations_of_their_own_city():
    station_list = stations((XILING, 1), (JIANGAN, 1))
    cadre_list = cadres(("city", WUHAN, 2), ("county", XILING, 1))
    result = plan(station_list, cadre_list)  # 2 stations → 0 / 1 / 1

    assert result.complete
    assert {(p.station.bureau_path, p.cadre.tier) for p in result.pairs} == {
        (JIANGAN, "city"),
        (XILING, "county"),
    }


def test_a_province_cadre_fills_the_station_no_local_cadre_may_take():
    # 3 stations → 1 / 1 / 1; 江汉 has no local cadre, so the province must go there.
    station_list = stations((JIANGAN, 1), (JIANGHAN, 1), (XILING, 1))
    cadre_list = cadres(
        ("province", PROVINCE, 1),
        ("city", YICHANG, 1),
        ("county", JIANGAN, 1),
        ("county", XILING, 1),
    )
    result = plan(station_list, cadre_list)

    assert result.complete
    covered_by = {p.station.bureau_path: p.cadre.tier for p in result.pairs}
    assert covered_by == {JIANGAN: "county", JIANGHAN: "province", XILING: "city"}


def test_flow_reroutes_instead_of_keeping_a_greedy_first_choice():
    # Greedy by county first would give 江岸's only station to its county cadre and leave
    # the city cadre (Wuhan) nowhere to go while 西陵 needs a county cadre it has.
    station_list = stations((JIANGAN, 1), (XILING, 1))  # 2 stations → 0 / 1 / 1
    cadre_list = cadres(("city", WUHAN, 1), ("county", JIANGAN, 1), ("county", XILING, 1))
    result = plan(station_list, cadre_list)

    assert result.complete
    covered_by = {p.station.bureau_path: p.cadre.bureau_path for p in result.pairs}
    assert covered_by == {JIANGAN: WUHAN, XILING: XILING}


INFEASIBLE = [
    pytest.param(
        # 10 stations → 2 / 3 / 5, but only 3 county cadres and no city cadre at all.
        stations((JIANGAN, 5), (JIANGHAN, 5)),
        cadres(("province", PROVINCE, 4), ("county", JIANGAN, 3)),
        {},
        [
            "The city tier needs 3 more cadres but has only 0 free.",
            "The county tier needs 5 more cadres but has only 3 free.",
            "5 uncovered stations in 江汉区公安分局 stay uncovered: every free cadre who may "
            "cover them (4 in all) is already placed in this plan or belongs to a tier that "
            "has reached its target.",
        ],
        {"province": 2, "city": 0, "county": 3},
        id="tiers-short-of-free-cadres",
    ),
    pytest.param(
        # Enough county cadres in number, but all in 江岸 while 江汉 and 西陵 wait.
        stations((JIANGAN, 1), (JIANGHAN, 1), (XILING, 2)),
        cadres(("province", PROVINCE, 1), ("city", WUHAN, 1), ("county", JIANGAN, 3)),
        {},
        [
            "2 free county cadres stay unused: no station left uncovered lies within their "
            "jurisdiction.",
            "1 uncovered station in 西陵区公安分局 stays uncovered: every free cadre who may "
            "cover it (1 in all) is already placed in this plan or belongs to a tier that has "
            "reached its target.",
        ],
        {"province": 1, "city": 1, "county": 1},
        id="county-cadres-in-the-wrong-county",
    ),
    pytest.param(
        # 5 stations → 1 / 2 / 2, two covered by province cadres: the province is 1 over.
        # 江岸's two stations go to its county cadres; 芙蓉 (Hunan) is out of everyone's reach.
        [
            *stations((JIANGAN, 2)),
            PlanStation(99, "定王台派出所", "430000/430100/430102", "S9999", "芙蓉区公安分局"),
        ],
        cadres(("city", WUHAN, 1), ("county", JIANGAN, 2)),
        {"province": 2},
        [
            "The province tier already exceeds its target by 1 station; the planner only "
            "fills uncovered stations and does not move existing assignments.",
            "The city tier needs 2 more cadres but has only 1 free.",
            "1 free city cadre stays unused: no station left uncovered lies within their "
            "jurisdiction.",
            "1 uncovered station in 芙蓉区公安分局 has no eligible free cadre.",
        ],
        {"province": 2, "city": 0, "county": 2},
        id="tier-over-target-and-a-station-out-of-everyone-s-reach",
    ),
]


@pytest.mark.parametrize(("station_list", "cadre_list", "actual", "reasons", "after"), INFEASIBLE)
def test_infeasible_plan_is_the_best_partial_plan_with_exact_reasons(
    station_list, cadre_list, actual, reasons, after
):
    result = plan(station_list, cadre_list, actual=actual)

    assert_valid(result, station_list, cadre_list)
    assert not result.complete
    assert english(result) == reasons
    assert result.after == after
    for line in result.tiers:
        assert line.after <= max(line.target, line.before)  # never pushed past a target


TWO_PROVINCES = [Province("420000", "湖北省公安厅", 3), Province("430000", "湖南省公安厅", 3)]


def test_each_province_is_planned_against_its_own_targets_and_the_lines_are_summed():
    # 3 stations in each province → 1 / 1 / 1 each, 2 / 2 / 2 in all; one national target
    # for 6 stations would be 1 / 2 / 3.
    station_list = stations((JIANGAN, 3), (FURONG, 3))
    cadre_list = cadres(
        ("province", PROVINCE, 2),
        ("city", WUHAN, 2),
        ("county", JIANGAN, 2),
        ("province", HUNAN, 1),
        ("city", CHANGSHA, 1),
        ("county", FURONG, 3),
    )

    result = plan_by_province(stations=station_list, cadres=cadre_list, provinces=TWO_PROVINCES)

    assert_valid(result, station_list, cadre_list)
    assert [(part.code, part.plan.targets) for part in result.provinces] == [
        ("420000", {"province": 1, "city": 1, "county": 1}),
        ("430000", {"province": 1, "city": 1, "county": 1}),
    ]
    assert result.targets == result.after == {"province": 2, "city": 2, "county": 2}
    assert result.complete and result.reasons == ()
    assert result.pairs == tuple(
        sorted(result.pairs, key=lambda p: (p.station.bureau_path, *p.station.sort_key))
    )


def test_tier_reasons_of_several_provinces_name_their_province():
    # 湖北 is complete; 湖南 has only county cadres: short of a province and a city cadre.
    station_list = stations((JIANGAN, 3), (FURONG, 3))
    cadre_list = cadres(
        ("province", PROVINCE, 1),
        ("city", WUHAN, 1),
        ("county", JIANGAN, 1),
        ("county", FURONG, 3),
    )

    result = plan_by_province(stations=station_list, cadres=cadre_list, provinces=TWO_PROVINCES)

    assert not result.complete
    assert [part.plan.complete for part in result.provinces] == [True, False]
    assert english(result) == [
        "湖南省公安厅: The province tier needs 1 more cadre but has only 0 free.",
        "湖南省公安厅: The city tier needs 1 more cadre but has only 0 free.",
        "2 uncovered stations in 芙蓉区公安分局 stay uncovered: every free cadre who may "
        "cover them (3 in all) is already placed in this plan or belongs to a tier that has "
        "reached its target.",
    ]


def test_a_single_province_plan_is_the_plain_plan():
    station_list = stations((JIANGHAN, 2))
    cadre_list = cadres(("county", JIANGAN, 1))

    result = plan_by_province(
        stations=station_list,
        cadres=cadre_list,
        provinces=[Province("420000", "湖北省公安厅", 3, {"county": 1})],
    )

    assert result == plan(station_list, cadre_list, actual={"county": 1})
    assert result.provinces == ()


def test_reasons_carry_codes_and_numbers():
    result = plan(stations((JIANGHAN, 2)), cadres(("county", JIANGAN, 1)))  # 0 / 1 / 1

    assert result.reasons == (
        Reason.of("tier_short", tier="city", need=1, free=0),
        Reason.of("tier_idle", tier="county", idle=1),
        Reason.of("unit_no_cadre", unit="江汉区公安分局", count=2),
    )


def test_reasons_read_in_chinese():
    result = plan(stations((JIANGHAN, 2)), cadres())
    with translation.override("zh-hans"):
        messages = [reason.message for reason in result.reasons]
    assert messages == [
        "市级还需 1 名包联干部，但空闲的市级干部只有 0 名。",
        "县级还需 1 名包联干部，但空闲的县级干部只有 0 名。",
        "江汉区公安分局有 2 个未包联的派出所没有符合包联范围的空闲干部。",
    ]


def test_a_tier_over_target_with_every_station_covered_gives_only_that_reason():
    # 10 stations all covered 3 / 3 / 4: nothing to fill, the county's shortfall mirrors it.
    result = plan(
        [], cadres(("county", JIANGAN, 3)), actual={"province": 3, "city": 3, "county": 4}
    )

    assert result.pairs == ()
    assert not result.complete
    assert result.reasons == (Reason.of("tier_over", tier="province", over=1),)


def test_nothing_to_do_is_a_complete_empty_plan():
    result = plan(
        [], cadres(("county", JIANGAN, 1)), actual={"province": 2, "city": 3, "county": 5}
    )

    assert result.complete
    assert result.pairs == ()
    assert result.reasons == ()


def test_ties_are_broken_the_same_way_whatever_the_input_order():
    station_list = stations((JIANGAN, 6), (JIANGHAN, 6), (XILING, 8))
    cadre_list = cadres(
        ("province", PROVINCE, 6),
        ("city", WUHAN, 5),
        ("city", YICHANG, 5),
        ("county", JIANGAN, 6),
        ("county", JIANGHAN, 6),
        ("county", XILING, 6),
    )
    first = plan(station_list, cadre_list)
    rnd = random.Random(235)
    for _ in range(20):
        shuffled_stations = rnd.sample(station_list, len(station_list))
        shuffled_cadres = rnd.sample(cadre_list, len(cadre_list))
        again = plan(shuffled_stations, shuffled_cadres)
        assert again.pairs == first.pairs
        assert again.digest() == first.digest()
    assert first.complete


def test_within_a_group_stations_by_code_get_cadres_by_name():
    station_list = stations((JIANGAN, 2))  # 0 / 1 / 1
    cadre_list = [
        PlanCadre(3, "王五", "county", JIANGAN, "江岸区公安分局"),
        PlanCadre(1, "李四", "county", JIANGAN, "江岸区公安分局"),
        PlanCadre(2, "李四", "county", JIANGAN, "江岸区公安分局"),
        PlanCadre(4, "赵六", "city", WUHAN, "武汉市公安局"),
    ]
    result = plan(station_list, cadre_list)

    assert [(p.station.code, p.cadre.id) for p in result.pairs] == [
        ("S0001", 1),  # 李四 (the lower id of two) before 王五
        ("S0002", 4),
    ]


def test_digest_depends_only_on_the_pairs():
    station_list = stations((JIANGAN, 2))
    a = plan(station_list, cadres(("city", WUHAN, 1), ("county", JIANGAN, 1)))
    b = plan(station_list, cadres(("city", WUHAN, 1), ("county", JIANGAN, 1)))
    c = plan(station_list, cadres(("county", JIANGAN, 1), ("city", WUHAN, 1)))  # other ids

    assert a.digest() == b.digest()
    assert len(a.digest()) == 64
    assert a.digest() != c.digest()


def _brute_force_best(station_list, cadre_list, need):
    """The largest number of stations coverable within the tier quotas, by trying all."""
    best = 0

    def search(index, used, placed, count):
        nonlocal best
        best = max(best, count)
        if index == len(station_list) or count + len(station_list) - index <= best:
            return
        station = station_list[index]
        search(index + 1, used, placed, count)
        for cadre in cadre_list:
            if cadre.id in used or placed[cadre.tier] >= need[cadre.tier]:
                continue
            if in_jurisdiction(
                cadre_bureau_path=cadre.bureau_path, station_bureau_path=station.bureau_path
            ):
                placed[cadre.tier] += 1
                search(index + 1, used | {cadre.id}, placed, count + 1)
                placed[cadre.tier] -= 1

    search(0, frozenset(), {"province": 0, "city": 0, "county": 0}, 0)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_partial_plans_cover_as_many_stations_as_any_plan_could(seed):
    rnd = random.Random(seed)
    units = [JIANGAN, JIANGHAN, XILING, XIANTAO]
    station_list = stations(*((rnd.choice(units), 1) for _ in range(rnd.randint(1, 6))))
    homes = {
        "province": [PROVINCE],
        "city": [WUHAN, YICHANG, XIANTAO],
        "county": [JIANGAN, JIANGHAN, XILING, XIANTAO],
    }
    tiers = [rnd.choice(list(homes)) for _ in range(rnd.randint(0, 6))]
    cadre_list = cadres(*((t, rnd.choice(homes[t]), 1) for t in tiers))
    result = plan(station_list, cadre_list)

    assert_valid(result, station_list, cadre_list)
    need = {line.tier: line.need for line in result.tiers}
    assert len(result.pairs) == _brute_force_best(station_list, cadre_list, need)
    assert result.complete == (len(result.pairs) == len(station_list))
    assert bool(result.reasons) != result.complete


def _province(total: int, cities: int, counties: int, seed: int):
    """A synthetic province with a hidden exact 20/30/50 cover plus 100 spare county cadres."""
    rnd = random.Random(seed)
    units = [
        f"{PROVINCE}/42{c:02d}00/42{c:02d}{k + 1:02d}"
        for c, k in itertools.product(range(cities), range(counties))
    ]
    station_list = [
        PlanStation(n, f"第{n}派出所", units[n % len(units)], f"S{n:06d}", units[n % len(units)])
        for n in range(1, total + 1)
    ]
    targets = tier_targets(total)
    tiers = [t for t in targets for _ in range(targets[t])]
    rnd.shuffle(tiers)
    cadre_list = []
    for station, tier in zip(station_list, tiers, strict=True):
        home = "/".join(station.bureau_path.split("/")[: {"province": 1, "city": 2}.get(tier, 3)])
        cadre_list.append(PlanCadre(len(cadre_list) + 1, f"干部{len(cadre_list)}", tier, home))
    for station in rnd.sample(station_list, 100):
        cadre_list.append(
            PlanCadre(len(cadre_list) + 1, f"干部{len(cadre_list)}", "county", station.bureau_path)
        )
    rnd.shuffle(station_list)
    rnd.shuffle(cadre_list)
    return station_list, cadre_list, targets


@pytest.mark.parametrize(
    ("total", "cities", "counties", "limit"),
    [(1504, 17, 6, 2.0), (40000, 40, 50, 5.0)],
    ids=["1504-stations-of-hubei", "40000-stations"],
)
def test_large_province_is_planned_completely_and_fast(total, cities, counties, limit):
    station_list, cadre_list, targets = _province(total, cities, counties, seed=235)

    started = time.perf_counter()
    result = plan_assignments(stations=station_list, cadres=cadre_list, targets=targets, actual={})
    elapsed = time.perf_counter() - started

    assert elapsed < limit
    assert result.complete
    assert result.after == targets
    assert len(result.pairs) == total
    assert_valid(result, station_list, cadre_list)


def test_max_flow_of_the_textbook_network_is_23():
    # CLRS figure 26.1: s=0, v1..v4 = 1..4, t=5.
    graph = FlowGraph(6)
    for u, v, capacity in [
        (0, 1, 16),
        (0, 2, 13),
        (1, 3, 12),
        (2, 1, 4),
        (2, 4, 14),
        (3, 2, 9),
        (3, 5, 20),
        (4, 3, 7),
        (4, 5, 4),
    ]:
        graph.add_edge(u, v, capacity)

    assert graph.max_flow(0, 5) == 23
