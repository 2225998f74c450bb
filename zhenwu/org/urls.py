from django.urls import path

from zhenwu.org import views

app_name = "org"

urlpatterns = [
    path("units/", views.unit_tree_view, name="unit_tree"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_edit, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/reveal/<str:field>/", views.person_reveal_view, name="person_reveal"),
]
