"""Posters and voting slips are not printed with a loopback address unless the office confirms.

A QR code pointing at http://127.0.0.1… reaches no resident's phone; the download first shows
a page saying so (409), and prints only on the second, confirmed request (?confirm=1).
"""

from __future__ import annotations

import subprocess
from datetime import date

import pytest
from django.urls import reverse

from zhenwu.conftest import client_for
from zhenwu.evaluation.services import codes_generate, survey_create
from zhenwu.suggestions.models import Campaign

pytestmark = pytest.mark.django_db
PUBLIC = "https://zhenwu.example.gov.cn"


def _pdf_text(tmp_path, content: bytes) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(text.split())  # the slips wrap the address across lines


@pytest.fixture
def posters_url(town):
    campaign = Campaign.objects.create(title="献言献策", starts_on=date(2026, 11, 1))
    return reverse("suggestions:posters", args=[campaign.pk])


@pytest.fixture
def slips_url(office):
    survey = survey_create(
        actor=office, title="满意度测评", purpose="satisfaction",
        period_start=date(2026, 11, 1), period_end=date(2026, 11, 30),
    )  # fmt: skip
    batch = codes_generate(actor=office, survey=survey, category=survey.categories.first(), count=2)
    return reverse("evaluation:slips", args=[survey.pk, batch])


@pytest.mark.parametrize("which, what", [("posters_url", "征集海报"), ("slips_url", "测评票")])
def test_a_download_opened_on_the_server_itself_asks_first(request, office, settings, which, what):
    settings.ZHENWU_PUBLIC_URL = ""
    url = request.getfixturevalue(which)
    response = client_for(office).get(url, HTTP_HOST="127.0.0.1:8000")
    page = response.content.decode()
    assert response.status_code == 409 and response["Content-Type"].startswith("text/html")
    assert what in page and "http://127.0.0.1:8000" in page and "群众用手机扫码时打不开" in page
    assert "尚未设置对外地址（ZHENWU_PUBLIC_URL）" in page and f'href="{url}?confirm=1"' in page


@pytest.mark.parametrize("which", ["posters_url", "slips_url"])
def test_a_loopback_public_url_asks_even_from_a_real_host(request, office, settings, which):
    settings.ZHENWU_PUBLIC_URL = "http://localhost:8000/"
    settings.ALLOWED_HOSTS = ["zhenwu.example.gov.cn"]
    response = client_for(office).get(request.getfixturevalue(which), HTTP_HOST="zhenwu.example.gov.cn")
    assert (
        response.status_code == 409
        and "设置中的对外地址（ZHENWU_PUBLIC_URL）是本机地址" in response.content.decode()
    )


@pytest.mark.parametrize(
    "which, printed", [("posters_url", "127.0.0.1:8000/s/"), ("slips_url", "127.0.0.1:8000/v/")]
)
def test_after_confirming_it_prints(request, office, settings, tmp_path, which, printed):
    settings.ZHENWU_PUBLIC_URL = ""
    url = request.getfixturevalue(which)
    response = client_for(office).get(f"{url}?confirm=1", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert printed in _pdf_text(tmp_path, response.content)


@pytest.mark.parametrize("which, printed", [("posters_url", f"{PUBLIC}/s/"), ("slips_url", f"{PUBLIC}/v/")])
def test_with_a_public_url_both_print_it_at_once_wherever_they_are_opened(
    request, office, settings, tmp_path, which, printed
):
    settings.ZHENWU_PUBLIC_URL = f"{PUBLIC}/"
    response = client_for(office).get(request.getfixturevalue(which), HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert printed in _pdf_text(tmp_path, response.content)
