from django.urls import path

from zhenwu.bulletins import views

app_name = "bulletins"

urlpatterns = [
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("bulletins/", views.bulletin_list, name="list"),
    path("bulletins/<int:pk>/", views.bulletin_page, name="detail"),
    path("bulletins/<int:pk>/regenerate/", views.bulletin_regenerate, name="regenerate"),
    path("bulletins/<int:pk>/publish/", views.bulletin_publish, name="publish"),
    path("bulletins/<int:pk>/document.docx", views.bulletin_docx, name="docx"),
]
