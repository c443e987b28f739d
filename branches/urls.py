from django.urls import path

from branches import views

app_name = "branches"

urlpatterns = [
    path("", views.OrganisationTreeView.as_view(), name="tree"),
    path("<int:pk>/", views.OrganisationDetailView.as_view(), name="detail"),
    path("<int:pk>/children/", views.OrganisationChildrenView.as_view(), name="children"),
    path("<int:pk>/new/", views.OrganisationCreateView.as_view(), name="create"),
    path("<int:pk>/edit/", views.OrganisationUpdateView.as_view(), name="update"),
    path("<int:pk>/move/", views.OrganisationMoveView.as_view(), name="move"),
    path("<int:pk>/dissolve/", views.OrganisationDissolveView.as_view(), name="dissolve"),
    path("<int:pk>/delete/", views.OrganisationDeleteView.as_view(), name="delete"),
    path("<int:pk>/posts/new/", views.PostCreateView.as_view(), name="post_create"),
    path("posts/<int:pk>/end/", views.PostEndView.as_view(), name="post_end"),
]
