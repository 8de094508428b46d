from django.contrib.admin.apps import AdminConfig


class PrivacyAdminConfig(AdminConfig):
    """django.contrib.admin with the site's own AdminSite (a second factor for publishers)."""

    default_site = "privacy_site.admin_site.PrivacyAdminSite"
