from django.urls import path

from zhenwu.evaluation import views

app_name = "evaluation"

urlpatterns = [
    # Voters: no account, a short address for the slips.
    path("v/", views.vote, name="vote"),
    path("v/cast/", views.vote_cast, name="vote_cast"),
    path("v/done/", views.vote_done, name="vote_done"),
    # The office's desk.
    path("evaluation/", views.survey_list, name="list"),
    path("evaluation/new/", views.survey_create, name="create"),
    path("evaluation/scales/", views.scales, name="scales"),
    path("evaluation/<int:pk>/", views.survey_page, name="detail"),
    path("evaluation/<int:pk>/step/<str:action>/", views.survey_step, name="step"),
    path("evaluation/<int:pk>/questions/", views.question_add, name="question_add"),
    path(
        "evaluation/<int:pk>/questions/<int:question_pk>/<str:action>/",
        views.question_change,
        name="question_change",
    ),
    path("evaluation/<int:pk>/categories/", views.category_save, name="category_save"),
    path("evaluation/<int:pk>/codes/", views.codes_generate, name="codes"),
    path("evaluation/<int:pk>/codes/<int:batch>.pdf", views.codes_slips, name="slips"),
    path("evaluation/<int:pk>/paper/", views.paper_entry, name="paper"),
    path("evaluation/<int:pk>/paper/<int:sheet_pk>/", views.paper_resolve, name="paper_resolve"),
    path("evaluation/<int:pk>/results/", views.results, name="results"),
    path("evaluation/<int:pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("evaluation/<int:pk>/results.pdf", views.results_pdf, name="results_pdf"),
    path("evaluation/<int:pk>/ballots/", views.ballots, name="ballots"),
]
