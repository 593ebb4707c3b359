"""The verify page: a printout's code shows what the report certifies; an unknown code says
so; the uploaded PDF matches only if its bytes are exactly those issued."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scoring.reports import verify
from scoring.reports.models import CODE_ALPHABET, CODE_LENGTH, IssuedReport, ReportKind
from scoring.reports.period import month_period
from scoring.reports.render import Rendered, css_string, page_counter_css

PDF = b"%PDF-1.7\n...the issued bytes...\n%%EOF\n"
URL = reverse("scoring:report-verify")


@pytest.fixture
def issued(org, personas):
    cadre = personas.cadre.cadre
    return verify.record_issue(
        code=verify.new_code(),
        kind=ReportKind.CADRE,
        subject="李明远 · 江岸区公安分局",
        period=month_period(2026, 3),
        rendered=Rendered(PDF, 2),
        by=personas.county_bureau,
        at=dt.datetime(2026, 4, 10, 1, 30, tzinfo=dt.UTC),
        cadre=cadre,
    )


def test_codes_are_twelve_unambiguous_characters():
    codes = {verify.new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("01OIL") & set(CODE_ALPHABET)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ABCD-EFGH-JKMN", "ABCDEFGHJKMN"),
        (" abcd efgh jkmn ", "ABCDEFGHJKMN"),
        ("ABCD-EFGH-JKM", None),  # too short
        ("ABCD-EFGH-JKM0", None),  # 0 is never used
    ],
)
def test_a_code_is_read_the_way_people_type_it(typed, expected):
    assert verify.normalize_code(typed) == expected


def test_a_valid_code_shows_what_the_report_certifies(client, personas, issued):
    client.force_login(personas.station)  # any logged-in role may check a printout
    shown = issued.display_code.lower()

    response = client.get(URL, {"code": shown})

    body = response.content.decode()
    assert response.status_code == 200
    assert "该验证码真实有效" in body
    assert "李明远 · 江岸区公安分局" in body
    assert "2026-03-01 – 2026-03-31" in body
    assert "2026-04-10 09:30" in body  # generated at, Asia/Shanghai
    assert issued.sha256 in body


def test_an_unknown_code_says_no_report_was_issued_with_it(client, personas, issued):
    client.force_login(personas.leader)
    other = "2" * CODE_LENGTH if issued.code != "2" * CODE_LENGTH else "3" * CODE_LENGTH

    body = client.get(URL, {"code": other}).content.decode()

    assert "没有以此验证码出具的报告" in body
    assert "李明远" not in body


def test_a_malformed_code_gets_a_chinese_message(client, personas):
    client.force_login(personas.cadre)
    response = client.get(URL, {"code": "12345"})
    assert response.status_code == 400
    assert "验证码由 12 位字母和数字组成" in response.content.decode()


def test_the_issued_file_matches_and_a_tampered_copy_does_not(client, personas, issued):
    client.force_login(personas.county_bureau)

    same = client.post(
        URL, {"code": issued.code, "file": SimpleUploadedFile("r.pdf", PDF, "application/pdf")}
    )
    tampered = PDF.replace(b"issued", b"edited")
    changed = client.post(
        URL, {"code": issued.code, "file": SimpleUploadedFile("r.pdf", tampered, "application/pdf")}
    )

    assert "该文件与出具的报告完全一致" in same.content.decode()
    assert "该文件与出具的报告不一致" in changed.content.decode()
    assert verify.matches(issued, PDF) and not verify.matches(issued, tampered)
    assert IssuedReport.objects.count() == 1  # checking writes nothing


def test_the_verify_page_without_a_code_shows_only_the_form(client, personas):
    client.force_login(personas.cadre)
    response = client.get(URL)
    assert response.status_code == 200
    assert 'id="verify-result"' not in response.content.decode()


def test_margin_text_is_a_safe_css_string():
    assert css_string('a"b\\c</style>') == '"a\\"b\\\\c\\3c /style>"'
    assert page_counter_css() == '"第 " counter(page) " 页 共 " counter(pages) " 页"'
