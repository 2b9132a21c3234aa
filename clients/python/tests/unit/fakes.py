"""Stand-ins for this library's own collaborators (the producer and the registry client), for unit tests."""

import fastavro
import json

from promptloop_agent import wire


class FakeProducer:
    def __init__(self, fail=False):
        self.sent = []
        self.fail = fail
        self._pending = []

    def produce(self, topic, value=None, key=None, on_delivery=None):
        self.sent.append((topic, key, value))
        self._pending.append(on_delivery)

    def poll(self, timeout=0):
        pending, self._pending = self._pending, []
        for cb in pending:
            cb("broker down" if self.fail else None, _Message(0, len(self.sent) - 1))
        return len(pending)

    def flush(self, timeout=0):
        self.poll()
        return 0


class FakeRegistry:
    """Ids as a registry would hand them out; writer schemas are the shipped ones."""

    def __init__(self):
        self.ids = {}

    def value_schema_id(self, topic, auto_register=False):
        return self.ids.setdefault(topic, 1000 + len(self.ids))

    def writer_schema(self, schema_id):
        topic = next(t for t, i in self.ids.items() if i == schema_id)
        return fastavro.parse_schema(json.loads(wire.schema_text(topic)))


class _Message:
    def __init__(self, partition, offset):
        self._p, self._o = partition, offset

    def partition(self):
        return self._p

    def offset(self):
        return self._o
