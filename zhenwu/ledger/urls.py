from django.urls import path

from zhenwu.ledger import import_views, views, views_evidence

app_name = "ledger"

urlpatterns = [
    path("ledger/", views.problem_list, name="problem_list"),
    path("ledger/new/", views.problem_create_view, name="problem_create"),
    path("ledger/bulk-assign/", views.bulk_assign_view, name="bulk_assign"),
    path("ledger/export.xlsx", views.export_view, name="export"),
    path("ledger/evidence/<int:pk>/", views_evidence.evidence_file, name="evidence_file"),
    path("ledger/evidence/<int:pk>/preview.jpg", views_evidence.evidence_preview, name="evidence_preview"),
    path("ledger/import/", import_views.import_view, name="import"),
    path("ledger/import/template.xlsx", import_views.import_template_view, name="import_template"),
    path("ledger/import/aliases/", import_views.alias_list_view, name="aliases"),
    path("ledger/import/<str:token>/progress/", import_views.import_progress_view, name="import_progress"),
    path("ledger/<int:pk>/", views.problem_page, name="problem_detail"),
    path("ledger/<int:pk>/assign/", views.problem_assign_view, name="problem_assign"),
    path("ledger/<int:pk>/report/", views.report_view, name="report"),
    path("ledger/<int:pk>/close/", views.apply_close_view, name="apply_close"),
    path("ledger/<int:pk>/extend/", views.extension_view, name="extension"),
    path("ledger/<int:pk>/correct/", views.correct_assignment_view, name="correct"),
    path("ledger/<int:pk>/<str:step>/", views.quick_step, name="quick_step"),
    path("ledger/extensions/<int:pk>/decide/", views.extension_decide_view, name="extension_decide"),
]
