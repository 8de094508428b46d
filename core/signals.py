"""Events about a person's data that cross apps (core imports no app; apps connect receivers).

Sent by the privacy requests app once a request has been verified from the person's own
mailbox; each receiver answers for the data its own app holds, so no app imports another.
"""

from django.dispatch import Signal

# kwargs: email (verified), consent_id (the requesting browser's, or ""). A receiver returns
# {section name: JSON-serialisable data} for the export of what the site holds.
personal_data_export = Signal()

# kwargs: email (verified). A receiver erases what it may erase at once and returns
# {section name: what was erased} (e.g. {"subscriptions": 1}).
personal_data_erase = Signal()
