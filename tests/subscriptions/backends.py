"""An in-memory email backend whose SMTP peer can be told to fail, per address or on connect."""

from django.core.mail.backends import locmem


class ScriptedBackend(locmem.EmailBackend):
    errors: dict = {}  # address -> exceptions to raise on the next sends, in order
    refuse_connect: BaseException | None = None
    opened = 0

    @classmethod
    def reset(cls):
        cls.errors = {}
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
                queue = self.errors.get(address)
                if queue:
                    raise queue.pop(0)
        return super().send_messages(messages)
