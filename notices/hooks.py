"""What apps above notices add to the editors' pages, without notices importing them.

The subscriptions app registers, in its ready(), who a version's notice goes to and where
its campaign can be followed; the publish and withdraw pages show whatever is registered.
"""

from dataclasses import dataclass

# Each provider: version -> list[AudienceLine]
AUDIENCE_PROVIDERS: list = []
# Each provider: version -> list[FollowUp] (links to what publishing a version started)
FOLLOW_UP_PROVIDERS: list = []


@dataclass(frozen=True)
class AudienceLine:
    label: str  # e.g. "Confirmed subscribers, 한국어"
    count: int


@dataclass(frozen=True)
class FollowUp:
    label: str
    url: str


def audience(version) -> list[AudienceLine]:
    return [line for provider in AUDIENCE_PROVIDERS for line in provider(version)]


def follow_ups(version) -> list[FollowUp]:
    return [link for provider in FOLLOW_UP_PROVIDERS for link in provider(version)]
