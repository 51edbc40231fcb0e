import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingpei.settings")
django_application = get_wsgi_application()

from jingpei.academy.beat_urls import LEAN_ROUTE  # noqa: E402 - needs the apps loaded above
from jingpei.core.lean_urls import LEAN_ROUTE as LEAN_HEALTHZ  # noqa: E402
from jingpei.core.leanwsgi import with_lean_routes  # noqa: E402

# The academy heartbeat takes a short request path (see jingpei.core.leanwsgi); everything else the full
# one. /healthz-lean is the bare view on the same short path (a benchmark baseline).
application = with_lean_routes(django_application, {LEAN_ROUTE: "jingpei.academy.beat_urls",
                                                    LEAN_HEALTHZ: "jingpei.core.lean_urls"})

if os.environ.get("JINGPEI_EMBEDDED_WORKER") == "1":
    from django.conf import settings

    if settings.JOBS_MODE == "embedded":
        from jingpei.core.jobs import start_embedded_worker

        start_embedded_worker()
