# Not a leak: the dict is filled once at import time from a fixed list of handlers; request code only reads it.
from django.http import HttpRequest, JsonResponse

from . import exporters  # type: ignore

EXPORTERS = {}

for _exporter in (exporters.CsvExporter, exporters.XlsxExporter, exporters.JsonExporter):
    EXPORTERS[_exporter.format_name] = _exporter


def export_report(request: HttpRequest, report_id: int) -> JsonResponse:
    fmt = request.GET.get("format", "csv")
    exporter_cls = EXPORTERS.get(fmt)
    if exporter_cls is None:
        return JsonResponse({"error": f"unknown format {fmt}"}, status=400)
    job_id = exporter_cls().schedule(report_id, requested_by=request.user.pk)
    return JsonResponse({"job": job_id})
