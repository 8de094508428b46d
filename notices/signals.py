"""What the notices app announces, so the apps above it can act without notices importing them."""

from django.dispatch import Signal

# Sent by services.version_publish inside its transaction, right after the version row is
# saved as published (and before that transaction commits). Keyword arguments:
#   version     the PolicyVersion as now stored (status published, published_at set);
#   historical  True when it records a version that already took effect elsewhere (the
#               launch content, recovered earlier texts): nobody is told about the past.
# Receivers run inside the publishing transaction, so whatever they write commits with the
# publish, and an exception they raise rolls the publish back (send(), not send_robust()).
# Work that must wait for the commit (emails, tasks) belongs in transaction.on_commit.
version_published = Signal()

# Sent by services.version_withdraw inside its transaction, right after the Withdrawal row
# is written. Keyword arguments:
#   version     the PolicyVersion withdrawn (still published, never in force);
#   withdrawal  the Withdrawal (reason, who, when).
# Receivers (the subscriptions app's correction email) run inside that transaction.
version_withdrawn = Signal()
