"""Background jobs of the classes capability."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jingpei.core.jobs import opening, task


@task("classes.render_certificates")
def render_certificates(ctx, *, class_id: int) -> dict:
    """Render the PDFs of certificates issued at completion of a large class (each ~50 ms)."""
    from jingpei.classes.models import Certificate
    from jingpei.classes.services import store_certificate_pdf

    pending = list(Certificate.objects.filter(klass_id=class_id, pdf=""))
    for done, cert in enumerate(pending, start=1):
        store_certificate_pdf(cert=cert)
        ctx.progress(done, len(pending), _("已生成 %(n)s 份证书") % {"n": done})
    return opening(f"/classes/{class_id}/?tab=completion", _("查看结业名单"))
