"""An in-memory email backend whose SMTP peer can be told to fail, per address or on connect.

`during` runs a callable while the message to an address is on the wire: the moment at
which another worker may act (recover a claim) or this one may die.
"""

from django.core.mail.backends import locmem


class ScriptedBackend(locmem.EmailBackend):
    errors: dict = {}  # address -> exceptions to raise on the next sends, in order
    during: dict = {}  # address -> a callable run while its message is on the wire
    refuse_connect: BaseException | None = None
    opened = 0

    @classmethod
    def reset(cls):
        cls.errors = {}
        cls.during = {}
        cls.refuse_connect = None
        cls.opened = 0

    def open(self):
        type(self).opened += 1
        if self.refuse_connect is not None:
            raise self.refuse_connect
        return True

    def send_messages(self, messages):
        for message in messages:
            for address in message.to:
                if address in self.during:
                    self.during.pop(address)()
                queue = self.errors.get(address)
                if queue:
                    raise queue.pop(0)
        return super().send_messages(messages)
