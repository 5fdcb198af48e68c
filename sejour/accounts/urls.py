from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("compte/creer/", views.signup_start, name="signup_start"),
    path("compte/creer/titre/", views.signup_residence, name="signup_residence"),
    path("compte/creer/visa/", views.signup_visa, name="signup_visa"),
    path("compte/creer/courriel/", views.signup_email, name="signup_email"),
    path("compte/creer/courriel-envoye/", views.signup_email_sent, name="signup_email_sent"),
    path("compte/non-eligible/", views.ineligible, name="ineligible"),
    path("compte/verifier/<str:token>/", views.verify, name="verify"),
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("connexion/visa/", views.visa_login, name="visa_login"),
    path("connexion/visa/<str:token>/", views.visa_login_confirm, name="visa_login_confirm"),
    path("mot-de-passe/oublie/", views.password_reset, name="password_reset"),
    path(
        "mot-de-passe/nouveau/<str:uidb64>/<str:token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/bienvenue/<str:uidb64>/<str:token>/",
        views.welcome_password,
        name="welcome_password",
    ),
    path("mot-de-passe/changer/", views.password_change, name="password_change"),
    path("mon-espace/", views.home, name="home"),
    path("mon-espace/mes-donnees.zip", views.my_data, name="my_data"),
    path("aide/ai-je-deja-un-compte/", views.help_existing_account, name="help_existing_account"),
    path(
        "aide/ou-trouver-mon-numero/", views.help_where_is_my_number, name="help_where_is_my_number"
    ),
]
