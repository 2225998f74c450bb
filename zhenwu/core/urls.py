from django.urls import path

from zhenwu.core import views

app_name = "core"

urlpatterns = [
    path("audit/", views.audit_list, name="audit_list"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", views.inbox_read, name="inbox_read"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/<int:year>/", views.calendar_year_action, name="calendar_year"),
]
