"""A resident's submission: what is stored, and every refusal leaving nothing behind."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from PIL import Image

from zhenwu.core.models import AuditEvent
from zhenwu.core.throttle import Throttled
from zhenwu.lib.codes import ALPHABET
from zhenwu.suggestions.models import Suggestion, SuggestionPhoto
from zhenwu.suggestions.services import suggestion_submit
from zhenwu.suggestions.tests.images import fake_image, jpeg_with_exif, png_upload

pytestmark = pytest.mark.django_db


def _nothing_stored() -> None:
    assert Suggestion.objects.count() == 0
    assert SuggestionPhoto.objects.count() == 0
    assert not AuditEvent.objects.filter(action="suggestion.received").exists()


def test_a_submission_gets_a_receipt_and_keeps_contact_private(town):
    s = suggestion_submit(text="村口路灯坏了", village=town.village, name="王大爷", phone="138-1234-5678")
    assert len(s.receipt) == 8 and set(s.receipt) <= set(ALPHABET)
    assert s.phone == "13812345678" and s.status == "received"
    event = AuditEvent.objects.get(action="suggestion.received")
    # The audit log says a resident submitted; it does not copy their phone or name.
    assert "13812345678" not in str(event.after) and "王大爷" not in str(event.after)
    assert event.actor_label == "resident"  # RESIDENT, labelled by its key


def test_photos_are_upright_thumbnailed_and_without_exif(town):
    s = suggestion_submit(text="道路破损严重", village=town.village, photos=[jpeg_with_exif(), png_upload()])
    first, second = s.photos.all()
    with first.image.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert not stored.getexif()  # no maker, no GPS
    assert stored.size == (48, 64)  # turned by its EXIF orientation before the EXIF was dropped
    assert first.content_type == "image/jpeg" and second.content_type == "image/png"
    assert first.thumbnail.name and second.thumbnail.size > 0


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"text": ""}, "text", "意见建议：不能为空"),
        ({"text": "路灯"}, "text", "意见建议：至少5个字"),
        ({"text": "路" * 5000}, "text", "意见建议：不能超过1000字（现为5000字）"),
        ({"text": "路灯坏了很久", "phone": "12345"}, "phone", "联系电话："),
        ({"text": "路灯坏了很久", "category": "weather"}, "category", "问题类别：不是可选的类别"),
        ({"text": "路灯坏了很久", "name": "名" * 21}, "name", "姓名：不能超过20字"),
    ],
)
def test_bad_fields_are_named_in_chinese_and_nothing_is_stored(town, kwargs, field, words):
    with pytest.raises(ValidationError) as caught:
        suggestion_submit(**kwargs)
    assert words in caught.value.message_dict[field][0]
    _nothing_stored()


def test_a_party_branch_is_not_a_village(town):
    with pytest.raises(ValidationError) as caught:
        suggestion_submit(text="路灯坏了很久", village=town.branch)
    assert "村(社区)：请选择村或社区" in caught.value.message_dict["village"][0]


def test_a_file_that_is_not_an_image_is_refused_and_the_good_photos_are_not_kept(town):
    with pytest.raises(ValidationError) as caught:
        suggestion_submit(text="路灯坏了很久", photos=[png_upload(), fake_image()])
    assert caught.value.message_dict["photos"] == ["照片2：不是可识别的图片（支持JPG、PNG、WEBP）"]
    _nothing_stored()


def test_a_30_mb_photo_is_refused(town):
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (30 * 1024 * 1024), content_type="image/jpeg")
    with pytest.raises(ValidationError) as caught:
        suggestion_submit(text="路灯坏了很久", photos=[big])
    assert caught.value.message_dict["photos"] == ["照片1：文件超过10MB"]
    _nothing_stored()


def test_a_gif_is_refused_by_format(town):
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "GIF")
    gif = SimpleUploadedFile("a.gif", out.getvalue())
    with pytest.raises(ValidationError) as caught:
        suggestion_submit(text="路灯坏了很久", photos=[gif])
    assert "不支持的图片格式GIF" in caught.value.message_dict["photos"][0]


def test_seven_photos_are_too_many(town):
    with pytest.raises(ValidationError) as caught:
        suggestion_submit(text="路灯坏了很久", photos=[png_upload() for _ in range(7)])
    assert caught.value.message_dict["photos"] == ["照片：最多6张，您选择了7张"]


@override_settings(ZHENWU_SUGGEST_PER_PHONE_DAY=2)
def test_one_phone_is_limited_per_day(town):
    for _ in range(2):
        suggestion_submit(text="路灯坏了很久", phone="13812345678")
    with pytest.raises(Throttled) as caught:
        suggestion_submit(text="路灯坏了很久", phone="13812345678")
    assert "同一手机号提交过于频繁：1440分钟内最多2次" in str(caught.value)
    assert Suggestion.objects.count() == 2


@override_settings(ZHENWU_SUGGEST_PER_IP_HOUR=20)
def test_a_burst_of_1000_from_one_address_keeps_the_accepted_and_refuses_the_rest(town):
    client = Client(REMOTE_ADDR="10.1.2.3")
    statuses = [
        client.post(
            "/api/public/suggestions", {"text": f"第{i}条：路灯坏了"}, content_type="application/json"
        )
        for i in range(1000)
    ]
    codes = [r.status_code for r in statuses]
    assert codes.count(201) == 20 and codes.count(429) == 980
    refused = statuses[-1]
    assert refused.json()["detail"] == "同一网络提交过于频繁：60分钟内最多20次，请稍后再试"
    assert refused["Retry-After"] == "3600"
    # The accepted ones are all there, each with its own receipt; another address is not affected.
    assert Suggestion.objects.count() == 20
    assert len({r.json()["receipt"] for r in statuses[:20]}) == 20
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert (
        other.post(
            "/api/public/suggestions", {"text": "另一个地址"}, content_type="application/json"
        ).status_code
        == 201
    )


def test_the_phone_page_submits_with_a_photo_and_shows_the_receipt(town):
    client = Client()
    page = client.get(reverse("suggestions:public_new") + f"?village={town.village.pk}")
    assert page.status_code == 200 and 'name="viewport"' in page.content.decode()
    response = client.post(
        reverse("suggestions:public_new"),
        {"text": "红岩村垃圾没人清运", "village": town.village.pk, "phone": "", "photos": [png_upload()]},
    )
    s = Suggestion.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/s/{s.receipt}/?new=1"
    follow = client.get(response["Location"]).content.decode()
    assert f"{s.receipt[:4]}-{s.receipt[4:]}" in follow and "已收到" in follow and "附照片1张" in follow


def test_a_form_error_says_the_chosen_photos_must_be_chosen_again(town):
    response = Client().post(
        reverse("suggestions:public_new"), {"text": "", "photos": [png_upload(), png_upload()]}
    )
    body = response.content.decode()
    assert response.status_code == 400 and "您选的2张照片没有保存" in body
    _nothing_stored()


def test_the_honeypot_turns_a_bot_away_and_stores_nothing(town):
    response = Client().post(
        reverse("suggestions:public_new"), {"text": "买药请加微信", "website": "http://spam"}
    )
    assert response.status_code == 400 and "提交未被接受" in response.content.decode()
    _nothing_stored()


def test_the_form_names_a_bad_phone_and_keeps_what_was_typed(town):
    response = Client().post(reverse("suggestions:public_new"), {"text": "路灯坏了很久", "phone": "abc"})
    body = response.content.decode()
    assert response.status_code == 400 and "联系电话：不是有效的手机号码" in body and "路灯坏了很久" in body
    _nothing_stored()
