from django.urls import path

from zhenwu.core import health, views

app_name = "core"

urlpatterns = [
    path("audit/", views.audit_list, name="audit_list"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", views.inbox_read, name="inbox_read"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/<int:year>/", views.calendar_year_action, name="calendar_year"),
    path("system/check/", views.system_check, name="system_check"),
    # Answered by core.health.HealthProbeMiddleware before sessions; routed for reverse().
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
