import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingpei.settings")
application = get_wsgi_application()

if os.environ.get("JINGPEI_EMBEDDED_WORKER") == "1":
    from django.conf import settings

    if settings.JOBS_MODE == "embedded":
        from jingpei.core.jobs import start_embedded_worker

        start_embedded_worker()
