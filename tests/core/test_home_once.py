"""The home page shares the menu's items between the side menu, the top bar and its shortcuts."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingpei.ledger import services
from jingpei.ledger.models import Notification
from jingpei.ledger.nav import unread_count


def test_the_home_page_works_out_the_menu_once(cast, client_as):
    services.notify([cast.trainee], title="x")
    client = client_as(cast.trainee)
    with CaptureQueriesContext(connection) as q:
        page = client.get("/").content.decode()
    # One count for the menu (side, top bar and shortcuts) and the to-do list.
    assert sum("ledger_notification" in x["sql"] for x in q.captured_queries) == 1
    assert page.count('href="/ledger/notifications/"') == 4  # side menu, top bar, to-do, shortcuts




def test_the_count_is_kept_for_the_request_and_forgotten_when_it_changes(cast):
    services.notify([cast.trainee], title="第一条")
    assert unread_count(cast.trainee) == 1
    Notification.objects.create(user=cast.trainee, title="绕过服务写入")  # not through notify: not seen
    assert unread_count(cast.trainee) == 1  # counted once for this user object (one request)
    services.notify([cast.trainee], title="第三条")
    assert unread_count(cast.trainee) == 3  # notify forgets the count
    services.mark_read(user=cast.trainee, ids=list(cast.trainee.ledger_notifications.values_list("pk", flat=True)[:2]))
    assert unread_count(cast.trainee) == 1  # so does reading
