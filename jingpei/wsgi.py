import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingpei.settings")
django_application = get_wsgi_application()

from jingpei.academy.beat_wsgi import fast_route  # noqa: E402 - needs the apps loaded above

# Ordinary academy heartbeats are answered by a fast route in front of Django's handler (see
# jingpei.academy.beat_wsgi); every other request by Django.
application = fast_route(django_application)

if os.environ.get("JINGPEI_EMBEDDED_WORKER") == "1":
    from django.conf import settings

    if settings.JOBS_MODE == "embedded":
        from jingpei.core.jobs import start_embedded_worker

        start_embedded_worker()
