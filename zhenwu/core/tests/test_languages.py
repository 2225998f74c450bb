"""Chinese first, English available: every interface string has an English translation."""

import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from zhenwu.conftest import PASSWORD, client_for
from zhenwu.lib.identity import IdentityError, normalize_phone

CATALOGUE = Path(settings.BASE_DIR) / "zhenwu" / "locale" / "en" / "LC_MESSAGES"


def test_the_english_catalogue_is_complete_and_compiled():
    po = (CATALOGUE / "django.po").read_text(encoding="utf-8")
    entries = po.split("\n\n")[1:]
    untranslated = [e for e in entries if 'msgstr ""' in e and "msgstr[" not in e]
    assert untranslated == []
    assert "#, fuzzy" not in po  # msgfmt drops fuzzy entries: they would show in Chinese
    with open(CATALOGUE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert compiled.gettext("工作台") == "Home"
    assert len(compiled._catalog) >= po.count("\nmsgid ") - 1  # type: ignore[attr-defined]


def test_pages_are_chinese_by_default_even_for_an_english_browser(db):
    page = Client(HTTP_ACCEPT_LANGUAGE="en-US,en").get(reverse("login")).content.decode()
    assert '<html lang="zh-CN">' in page and "登录" in page


@pytest.mark.django_db
def test_a_user_can_switch_to_english_and_back(office):
    client = client_for(office)
    client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    home = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in home
    assert "Hello, " in home and "Party members" in home and "Sign out" in home
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")})
    assert "您好" in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_refusals_come_in_the_chosen_language(office):
    client = Client()
    client.cookies["django_language"] = "en"
    response = client.post(reverse("login"), {"username": "office", "password": "wrong"})
    assert "Wrong username or password (4 more and sign-in pauses for 1 min)" in response.content.decode()
    assert client.post(reverse("login"), {"username": "office", "password": PASSWORD}).status_code == 302
    with translation.override("en"), pytest.raises(IdentityError, match="not a valid mobile number"):
        normalize_phone("123")
