"""The demo's password is printed by `make run` and in the README: nobody may choose it."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhenwu.conftest import PASSWORD, SYSTEM, client_for
from zhenwu.demo.constants import DEMO_PASSWORD
from zhenwu.org.constants import AccountRole
from zhenwu.org.models import User
from zhenwu.org.services import account_create


def test_the_demo_password_is_refused_as_a_password():
    for password in (DEMO_PASSWORD, DEMO_PASSWORD.lower() + "!", "x" + DEMO_PASSWORD):
        with pytest.raises(ValidationError) as caught:
            validate_password(password, User(username="clerk"))
        assert "不能使用公开过的初始密码（如演示密码）" in caught.value.messages


@pytest.mark.django_db
def test_the_office_cannot_hand_out_the_demo_password_nor_a_user_choose_it(office, town):
    with pytest.raises(ValidationError) as caught:
        account_create(actor=office, username="newclerk", password=DEMO_PASSWORD, role=AccountRole.OFFICE)
    assert "密码：不能使用公开过的初始密码（如演示密码）" in caught.value.messages
    clerk = account_create(
        actor=SYSTEM, username="clerk", password=PASSWORD, role=AccountRole.OFFICE, must_change_password=False
    )
    data = {"old_password": PASSWORD, "new_password": DEMO_PASSWORD, "new_password2": DEMO_PASSWORD}
    response = client_for(clerk).post(reverse("password_change"), data)
    assert "新密码：不能使用公开过的初始密码（如演示密码）" in response.content.decode()
