"""Re-key subscribers with the IDNA-aware normalisation (one mailbox, one subscriber).

Rows whose new key would collide with another row's are left as they are and reported: two
subscriptions of one mailbox hold two histories of sent notices, and merging them is an
operator's decision, not a migration's.
"""

import contextlib
import re

from django.db import migrations

DOT_ATOM_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


def normalise(address: str) -> str:
    # A frozen copy of subscriptions.models.normalise_email as of this migration.
    address = address.strip()
    local, at, domain = address.rpartition("@")
    if not at:
        return address.casefold()
    if len(local) >= 2 and local[0] == local[-1] == '"':
        inner = re.sub(r"\\(.)", r"\1", local[1:-1])
        if DOT_ATOM_RE.match(inner):
            local = inner
    with contextlib.suppress(UnicodeError):
        domain = domain.encode("idna").decode("ascii")
    return f"{local.casefold()}@{domain.casefold()}"


def rekey(apps, schema_editor):
    Subscriber = apps.get_model("subscriptions", "Subscriber")
    rows = list(Subscriber.objects.only("pk", "email", "email_key"))
    wanted: dict[str, list] = {}
    for row in rows:
        wanted.setdefault(normalise(row.email), []).append(row)
    taken = {row.email_key for row in rows}
    collisions = 0
    for key, group in wanted.items():
        if len(group) > 1:
            collisions += len(group)
            continue
        (row,) = group
        if row.email_key != key and key not in taken:
            taken.discard(row.email_key)
            taken.add(key)
            Subscriber.objects.filter(pk=row.pk).update(email_key=key)
    if collisions:
        print(f"\n  {collisions} subscribers share a mailbox under the new key; left as they were: merge them by hand.")


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0001_initial")]
    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
