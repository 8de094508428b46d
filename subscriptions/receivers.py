"""What subscriptions does when the notices app announces something (connected in apps.py)."""

from . import services


def campaign_for_published_version(sender, *, version, historical: bool, **kwargs) -> None:
    """Create the change notice of a material version as it is published; it is queued on commit.

    Created inside the publishing transaction, so a version is never published without its
    notice, nor a notice left for a publish that was rolled back.
    """
    if version.material and not historical:
        services.campaign_create(version=version)


def correction_for_withdrawn_version(sender, *, version, withdrawal, **kwargs) -> None:
    """Stop the withdrawn version's notice and correct it, in the withdrawal's transaction."""
    services.campaign_correct(version=version)
