"""Hostile input at the public door. Photos are refused by their header's pixel count before a pixel is decoded, and refusals
count against the sender's address (a worker once spent 30 s on two such requests)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from PIL import Image

from zhenwu.core.throttle import Throttled
from zhenwu.suggestions.models import Suggestion
from zhenwu.suggestions.photos import clean_photos
from zhenwu.suggestions.services import suggestion_submit
from zhenwu.suggestions.tests.images import png_claiming, png_upload

pytestmark = pytest.mark.django_db


def test_a_119_megapixel_header_is_refused_without_decoding(monkeypatch):
    uploads = [png_upload(), png_claiming(10_900, 10_900)]
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(self) or None)
    with pytest.raises(ValidationError, match="过大（最多40百万像素）"):
        clean_photos(uploads)
    assert decoded == [], "nothing is decoded when any photo in the request is refused"


@override_settings(ZHENWU_PHOTO_MAX_MEGAPIXELS=40, ZHENWU_PHOTOS_MAX_MEGAPIXELS_PER_SUBMIT=100)
def test_the_pixels_of_one_submission_are_capped_together(monkeypatch):
    uploads = [png_claiming(5_000, 7_000, name=f"{i}.png") for i in range(3)]
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("decoded"))
    with pytest.raises(ValidationError, match="合计105百万像素"):
        clean_photos(uploads)


@override_settings(ZHENWU_SUGGEST_PER_IP_HOUR=3)
def test_refused_photos_count_against_the_address(town):
    for _attempt in range(3):
        with pytest.raises(ValidationError):
            suggestion_submit(
                text="村口路灯坏了很久", photos=[png_claiming(10_000, 10_000)], ip="203.0.113.9"
            )
    with pytest.raises(Throttled):
        suggestion_submit(text="村口路灯坏了很久", photos=[png_claiming(10_000, 10_000)], ip="203.0.113.9")
    with pytest.raises(Throttled):  # the limit now holds for this address, photos or not
        suggestion_submit(text="村口路灯坏了很久", ip="203.0.113.9")
    assert not Suggestion.objects.exists()
    assert suggestion_submit(text="村口路灯坏了很久", ip="198.51.100.7").receipt


def test_control_characters_are_dropped_from_a_form_submission(town):
    from django.test import Client
    from django.urls import reverse

    Client().post(
        reverse("suggestions:public_new"), {"text": "三组\x07路灯坏了\x1b好几天", "village": town.village.pk}
    )
    assert Suggestion.objects.get().text == "三组路灯坏了好几天"
