"""系统检查: accounts still opening with the demo's published initial password."""

from __future__ import annotations

import pytest

from zhenwu.core import syscheck as checks
from zhenwu.core.actors import DEMO
from zhenwu.core.syscheck import FAIL, OK
from zhenwu.demo.constants import DEMO_PASSWORD
from zhenwu.org.constants import AccountRole
from zhenwu.org.services import account_change_password, account_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget_verdicts():
    checks._verdicts.clear()


@pytest.fixture
def hashed(monkeypatch):
    """Counts the (slow, by design) password hash checks the system check makes."""
    calls: list[int] = []
    real = checks.check_password

    def counting(password, stored):
        calls.append(1)
        return real(password, stored)

    monkeypatch.setattr(checks, "check_password", counting)
    return calls


def _demo_account(username: str = "dangzhengban"):
    # As the demo seeds it: the password rules refuse the published password (validate=False).
    return account_create(
        actor=DEMO, username=username, password=DEMO_PASSWORD, role=AccountRole.ADMIN, validate=False
    )


def test_the_demo_registers_its_password():
    assert DEMO_PASSWORD in checks.PUBLISHED_PASSWORDS


def test_an_account_with_the_demo_password_fails_naming_it():
    _demo_account()
    finding = checks.check_published_passwords()
    assert finding.status == FAIL and "dangzhengban" in finding.detail and "1个账号" in finding.detail


def test_changing_the_password_passes_the_check():
    user = _demo_account()
    account_change_password(user=user, old_password=DEMO_PASSWORD, new_password="Town#Office-2027")
    assert checks.check_published_passwords().status == OK


def test_each_stored_password_is_hashed_once_and_again_only_after_it_changed(hashed):
    user = _demo_account()
    checks.check_published_passwords()
    checks.check_published_passwords()
    assert len(hashed) == 1
    user.set_password("Another#Initial-2027")
    user.save(update_fields=["password"])
    assert checks.check_published_passwords().status == OK
    assert len(hashed) == 2


def test_accounts_that_chose_their_own_password_are_not_hashed_at_all(hashed, office, leader):
    # The fixtures' accounts: created without a forced change, then changed in the application.
    for user in (office, leader):
        account_change_password(user=user, old_password="Test-pass-2009", new_password="Own#Choice-2027")
    inactive = _demo_account("old-demo")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    assert checks.check_published_passwords().status == OK
    assert hashed == []


def test_a_waiting_page_hashes_within_its_budget_and_a_refresh_goes_on(hashed):
    for i in range(3):
        _demo_account(f"demo-{i}")
    checks.run_checks(budget=0)  # no time at all: the first candidate only, then the budget is out
    assert len(hashed) == 1
    finding = next(f for f in checks.run_checks(budget=0) if f.key == "published_passwords")
    assert finding.status == FAIL and "另有1个账号这次来不及检查" in finding.detail
    finding = next(f for f in checks.run_checks() if f.key == "published_passwords")  # the command
    assert "3个账号" in finding.detail and "来不及" not in finding.detail and len(hashed) == 3
