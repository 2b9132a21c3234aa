/**
 * Avro in Confluent's wire format (magic byte 0, 4-byte big-endian schema id, Avro binary body), with the schemas
 * this package ships (generated self-contained from the project's schemas/src/main/avro at build time).
 */
import { readFileSync } from 'node:fs';
import avro from 'avsc';

export const MAGIC = 0;
const SCHEMAS = new URL('../../schemas/', import.meta.url);

/** Bytes that are not a Confluent-framed Avro record. */
export class WireFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireFormatError';
  }
}

/** Magic byte 0, the schema id as 4 bytes big-endian, then the Avro body. */
export function frame(schemaId: number, body: Buffer): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0xffffffff) {
    throw new RangeError(`schema id ${schemaId} does not fit in 4 bytes`);
  }
  const header = Buffer.alloc(5);
  header.writeUInt8(MAGIC, 0);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

/** The schema id and Avro body of a framed record. */
export function unframe(data: Buffer | null | undefined): { schemaId: number; body: Buffer } {
  if (!data || data.length < 5) throw new WireFormatError(`record of ${data ? data.length : 0} bytes is shorter than the 5-byte header`);
  const magic = data.readUInt8(0);
  if (magic !== MAGIC) throw new WireFormatError(`magic byte ${magic}, expected ${MAGIC}`);
  return { schemaId: data.readUInt32BE(1), body: data.subarray(5) };
}

export interface TopicInfo {
  name: string;
  key: string;
  valueSubject: string;
  valueSchema: string;
  partitions: number;
  cleanup: string;
  deadLetterTopic: string;
}

let catalogue: Map<string, TopicInfo> | undefined;

/** The topic catalogue as exported from io.promptloop.schemas.Topics. */
export function topics(): Map<string, TopicInfo> {
  if (!catalogue) {
    const list: TopicInfo[] = JSON.parse(readFileSync(new URL('topics.json', SCHEMAS), 'utf8'));
    catalogue = new Map(list.map((t) => [t.name, t]));
  }
  return catalogue;
}

const texts = new Map<string, string>();
const types = new Map<string, avro.Type>();

/** The shipped, self-contained value schema of a topic (JSON). */
export function schemaText(topic: string): string {
  let text = texts.get(topic);
  if (text === undefined) {
    text = readFileSync(new URL(`${topic}-value.avsc`, SCHEMAS), 'utf8');
    texts.set(topic, text);
  }
  return text;
}

/** avsc's type of the shipped schema. Unions of several records are wrapped: `{ "<full name>": fields }`. */
export function schemaType(topic: string): avro.Type {
  let type = types.get(topic);
  if (!type) {
    type = parse(schemaText(topic));
    types.set(topic, type);
  }
  return type;
}

export function parse(schemaJson: string): avro.Type {
  return avro.Type.forSchema(JSON.parse(schemaJson), { wrapUnions: 'auto' });
}

/** Avro's Parsing Canonical Form fingerprint: equal for schemas that read and write the same bytes. */
export function fingerprint(schemaJson: string): string {
  return parse(schemaJson).fingerprint('sha256').toString('hex');
}

export function encode(topic: string, record: Record<string, unknown>): Buffer {
  return schemaType(topic).toBuffer(record);
}

const resolvers = new Map<string, any>();

/** Reads a body written with `writerJson` into the shipped (reader) schema of `topic`. */
export function decode(body: Buffer, writerJson: string, topic: string): Record<string, any> {
  const reader = schemaType(topic);
  const key = `${topic}\u0000${writerJson}`;
  let resolver = resolvers.get(key);
  if (!resolver) {
    resolver = reader.createResolver(parse(writerJson));
    resolvers.set(key, resolver);
  }
  return reader.fromBuffer(body, resolver, true) as Record<string, any>;
}
