"""A class end to end in the browser: a liaison nominates, the trainee confirms on the phone, the head
approves and projects the sign-in code, the phone scans it (logging in on the way, in a WeChat-like
in-app browser), the head completes the class, the trainee downloads the certificate and the public
verification page confirms it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jingpei.classes import services
from jingpei.classes.models import Certificate
from jingpei.core.permissions import Role
from jingpei.ledger.models import LedgerEntry
from tests.e2e.conftest import login, shot
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_class_from_nomination_to_verified_certificate(cast, desktop, phone):
    head = make_user("head", role=Role.CLASS_HEAD, org=cast.town_a)
    today = timezone.localdate()
    klass = services.create_class(actor=cast.officer, organizer=cast.district, title="壮大村集体经济专题班",
                                  start_date=today, end_date=today, capacity=30, tier="special", head=head,
                                  place="区委党校")
    services.set_quota(actor=cast.officer, klass=klass, org=cast.town_a, seats=5)
    now = timezone.now()
    services.add_session(actor=cast.officer, klass=klass, starts_at=now - timedelta(minutes=5),
                         ends_at=now + timedelta(hours=2), subject="村集体经济发展路径", hours=3)

    # The liaison of 老窝镇 nominates 王小明.
    login(desktop, "liaison_a")
    desktop.goto(f"{desktop.base}/classes/{klass.pk}/")
    desktop.select_option("[data-testid=nominate-form] select[name=person]", label="王小明（朱集村党支部）")
    desktop.click("[data-testid=nominate-form] button[type=submit]")
    desktop.wait_for_selector("text=已推荐 王小明。")
    shot(desktop, "classes-liaison-nominated")

    # 王小明 confirms on the phone.
    login(phone, "trainee")
    phone.goto(f"{phone.base}/classes/mine/")
    phone.click(f"[data-testid=my-class-{klass.pk}] [data-testid=confirm]")
    phone.wait_for_selector("text=已确认参加，等待班主任审核。")
    shot(phone, "classes-trainee-confirmed")

    # The class head approves and projects the code.
    desktop.context.clear_cookies()
    login(desktop, "head")
    desktop.goto(f"{desktop.base}/classes/{klass.pk}/?tab=roster")
    desktop.click("[data-testid=roster] button:has-text('录取')")
    desktop.wait_for_selector("text=已录取。")
    desktop.goto(f"{desktop.base}/classes/{klass.pk}/?tab=info")
    desktop.click("[data-testid=projector-link]")
    scan_url = desktop.get_attribute("[data-testid=qr]", "data-scan-url")
    assert "/classes/scan/" in scan_url
    shot(desktop, "classes-projector")

    # The phone, logged out, opens the scanned link: login first, then signed in.
    phone.context.clear_cookies()
    phone.goto(scan_url)
    phone.fill("input[name=username]", "trainee")
    phone.fill("input[name=password]", "Secret-pass-2026")
    phone.click("button[type=submit]")
    phone.wait_for_selector("[data-testid=scan-ok]")
    assert "签到成功" in phone.inner_text("[data-testid=scan-ok]")
    shot(phone, "classes-scan-ok")

    # The projector's counter moves on its next refresh.
    desktop.wait_for_selector("[data-testid=signed-count]:has-text('已签到 1 / 1 人')", timeout=10000)

    # The head completes the class.
    desktop.goto(f"{desktop.base}/classes/{klass.pk}/?tab=completion")
    asked = []
    desktop.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))  # 取消: nothing happens
    desktop.click("[data-testid=complete-class]")
    assert asked == ["结业后学时计入台账、证书立即颁发，不可撤销。确定结业？"]
    assert desktop.inner_text("[data-testid=class-status]") != "已结业"
    desktop.once("dialog", lambda d: d.accept())
    desktop.click("[data-testid=complete-class]")
    desktop.wait_for_selector("text=班次已结业。")
    assert desktop.inner_text("[data-testid=class-status]") == "已结业"
    shot(desktop, "classes-completed")
    assert LedgerEntry.objects.get(idempotency_key=f"class-completion:{klass.pk}:{cast.person_a.pk}").hours == 6  # one full-time day

    # The trainee downloads the certificate; the public page confirms it.
    phone.goto(f"{phone.base}/classes/mine/")
    with phone.expect_download() as download:
        phone.click("[data-testid=certificate-link]")
    with open(download.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    cert = Certificate.objects.get(enrolment__person=cast.person_a)
    serial = cert.serial
    assert cert.verify_url == f"{desktop.base}/verify/{serial}/"  # the QR on the PDF is an absolute link
    phone.context.clear_cookies()
    phone.goto(f"{phone.base}/verify/{serial}/")
    assert phone.inner_text("[data-testid=verify-name]") == "王*明"
    assert phone.is_visible("[data-testid=verify-ok]")
    assert "王小明" not in phone.content()
    shot(phone, "classes-verify")


def test_phone_refuses_stale_code_and_head_page_fits_phone(cast, phone):
    from jingpei.classes import signin
    from tests.classes.conftest import enrol

    head = make_user("head", role=Role.CLASS_HEAD, org=cast.town_a)
    today = timezone.localdate()
    klass = services.create_class(actor=cast.officer, organizer=cast.district, title="移动讲堂·老窝镇站",
                                  start_date=today, end_date=today, capacity=30, form="mobile_lecture", head=head)
    now = timezone.now()
    session = services.add_session(actor=cast.officer, klass=klass, starts_at=now - timedelta(minutes=5),
                                   ends_at=now + timedelta(hours=2), subject="扶贫产业", hours=2)
    enrol(cast, klass, cast.person_a)
    stale = signin.make_token(session.pk, now - timedelta(minutes=2))
    login(phone, "trainee")
    phone.goto(f"{phone.base}/classes/scan/{stale}/")
    assert "二维码已过期" in phone.inner_text("[data-testid=scan-error]")
    shot(phone, "classes-scan-expired")
    phone.context.clear_cookies()
    login(phone, "head")
    phone.goto(f"{phone.base}/classes/{klass.pk}/?tab=attendance")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    shot(phone, "classes-head-phone")
