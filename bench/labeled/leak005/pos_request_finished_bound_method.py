# Leaks: each per-request AuditRecorder connects a bound method to request_finished with weak=False and never disconnects.
from django.core.signals import request_finished
from django.http import HttpRequest, JsonResponse


class AuditRecorder:
    def __init__(self, request: HttpRequest) -> None:
        self.user_id = request.user.pk
        self.path = request.path
        self.events: list[str] = []
        request_finished.connect(self.flush, weak=False)  # expect: LEAK005

    def note(self, event: str) -> None:
        self.events.append(event)

    def flush(self, sender, **kwargs) -> None:
        from .models import AuditLog  # type: ignore

        if self.events:
            AuditLog.objects.create(user_id=self.user_id, path=self.path, events=self.events)
            self.events = []


def delete_project(request: HttpRequest, project_id: int) -> JsonResponse:
    audit = AuditRecorder(request)
    audit.note(f"delete project {project_id}")
    return JsonResponse({"deleted": project_id})
