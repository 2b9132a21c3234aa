"""promptloop agent SDK: publish agent events, follow instruction routing, answer the optimizer's evaluations.

Speaks only promptloop's public contract: Kafka topics, Avro in Confluent's wire format, and a schema registry's
Confluent-compatible API. See the project README, "How an agent publishes"."""

from .assignment import bucket, is_treatment, threshold
from .publisher import (
    Agent,
    Delivered,
    DeliveryError,
    Event,
    Publisher,
    Session,
    partition_for,
    predictor_key,
    producer_config,
)
from .registry import RegistryClient, SchemaRegistryError
from .responder import EvaluationResponder, EvaluationTask, Scored
from .routing import Instruction, Routed, Routing, route
from .validation import InvalidEventError, Limits

__all__ = [
    "Agent",
    "Delivered",
    "DeliveryError",
    "EvaluationResponder",
    "EvaluationTask",
    "Event",
    "Instruction",
    "InvalidEventError",
    "Limits",
    "Publisher",
    "RegistryClient",
    "Routed",
    "Routing",
    "SchemaRegistryError",
    "Scored",
    "Session",
    "bucket",
    "is_treatment",
    "partition_for",
    "predictor_key",
    "producer_config",
    "route",
    "threshold",
]
