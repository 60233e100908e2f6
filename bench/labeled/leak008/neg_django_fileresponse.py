# Not a leak: ownership of the handle passes to FileResponse, which closes the file when the response is closed.
import os

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest


def download_invoice(request: HttpRequest, invoice_id: int) -> FileResponse:
    path = os.path.join(settings.INVOICE_DIR, f"{invoice_id}.pdf")
    if not os.path.isfile(path) or not request.user.has_perm("billing.view_invoice"):
        raise Http404("invoice not found")
    return FileResponse(
        open(path, "rb"),
        as_attachment=True,
        filename=f"invoice-{invoice_id}.pdf",
        content_type="application/pdf",
    )
