"""The home page shares the menu's items between the side menu, the top bar and its shortcuts."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingpei.ledger import services


def test_the_home_page_works_out_the_menu_once(cast, client_as):
    services.notify([cast.trainee], title="x")
    client = client_as(cast.trainee)
    with CaptureQueriesContext(connection) as q:
        page = client.get("/").content.decode()
    # One count for the menu (side, top bar and shortcuts share it), one for the to-do list.
    assert sum("ledger_notification" in x["sql"] for x in q.captured_queries) == 2
    assert page.count('href="/ledger/notifications/"') == 4  # side menu, top bar, to-do, shortcuts
