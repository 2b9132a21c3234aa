/**
 * promptloop agent SDK: publish agent events, follow instruction routing, answer the optimizer's evaluations.
 * Speaks only promptloop's public contract: Kafka topics, Avro in Confluent's wire format, and a schema registry's
 * Confluent-compatible API.
 */
export { BUCKETS, bucket, isTreatment, threshold } from './assignment.js';
export {
  Agent, DeliveryError, KafkaSender, Publisher, Session, murmur2, partitionFor, predictorKey, producerConfig,
  type AgentOptions, type Delivery, type EvaluationFields, type Event, type Ids, type ObservationFields,
  type PublisherOptions, type Sender, type SessionStart, type Turn,
} from './publisher.js';
export { Registry, SchemaRegistryError, type RegistryOptions } from './registry.js';
export { EvaluationResponder, type Evaluate, type EvaluationTask, type ResponderOptions, type Scored } from './responder.js';
export { Routing, arms, route, type Instruction, type Routed, type RoutingOptions } from './routing.js';
export { DEFAULT_LIMITS, InvalidEventError, Validator, type Limits, type RejectionReason } from './validation.js';
export { WireFormatError, decode, encode, frame, topics, unframe } from './wire.js';
