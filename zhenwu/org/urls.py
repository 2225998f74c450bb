from django.urls import path

from zhenwu.org import views

app_name = "org"

urlpatterns = [
    path("units/", views.unit_tree_view, name="unit_tree"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("people/", views.person_list, name="person_list"),
    path("people/pick/", views.people_picker_view, name="people_pick"),
    path("people/new/", views.person_edit, name="person_create"),
    path("people/role-here/", views.person_role_here, name="person_role_here"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/reveal/<str:field>/", views.person_reveal_view, name="person_reveal"),
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/<int:pk>/unlock/", views.account_unlock_view, name="account_unlock"),
    path("accounts/<int:pk>/reset/", views.account_reset_view, name="account_reset"),
    path("accounts/new/", views.account_create_view, name="account_create"),
    path("accounts/<int:pk>/active/", views.account_active_view, name="account_active"),
    path("accounts/<int:pk>/role/", views.account_role_view, name="account_role"),
    path("town/", views.town_switch, name="town_switch"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
]
