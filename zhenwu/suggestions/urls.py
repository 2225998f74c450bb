from django.urls import path

from zhenwu.suggestions import catalogue_views, views

app_name = "suggestions"

urlpatterns = [
    # Residents: short addresses, because they are typed from posters and read out on the phone.
    path("s/", views.public_new, name="public_new"),
    path("s/find/", views.public_find, name="public_find"),
    path("s/<str:code>/", views.public_follow, name="public_follow"),
    path("s/<str:code>/feedback/", views.public_feedback, name="public_feedback"),
    # The office's desk.
    path("suggestions/", views.inbox_view, name="inbox"),
    path("suggestions/bulk/", views.bulk_view, name="bulk"),
    path("suggestions/clusters/", views.clusters_view, name="clusters"),
    path("suggestions/satisfaction/", views.satisfaction_view, name="satisfaction"),
    path("suggestions/campaigns/", views.campaigns_view, name="campaigns"),
    path("suggestions/campaigns/<int:pk>/posters.pdf", views.posters_view, name="posters"),
    path("suggestions/catalogue/", catalogue_views.catalogue_view, name="catalogue"),
    path("suggestions/catalogue/seed/", catalogue_views.catalogue_seed_view, name="catalogue_seed"),
    path("suggestions/catalogue/new/", catalogue_views.topic_edit_view, name="topic_new"),
    path("suggestions/catalogue/<int:pk>/", catalogue_views.topic_edit_view, name="topic_edit"),
    path("suggestions/catalogue/<int:pk>/delete/", catalogue_views.topic_delete_view, name="topic_delete"),
    path("suggestions/reopen/", views.reopen_list, name="reopen_list"),
    path("suggestions/reopen/<int:pk>/", views.reopen_decide_view, name="reopen_decide"),
    path("suggestions/photos/<int:pk>/<str:size>/", views.photo_view, name="photo"),
    path("suggestions/<int:pk>/", views.suggestion_page, name="detail"),
    path("suggestions/<int:pk>/contact/", views.contact_view, name="contact"),
    path("suggestions/<int:pk>/accept/", views.accept_view, name="accept"),
    path("suggestions/<int:pk>/merge/", views.merge_view, name="merge"),
    path("suggestions/<int:pk>/<str:action>/", views.reply_view, name="reply"),
]
