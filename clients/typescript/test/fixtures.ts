import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Delivery, Sender } from '../src/publisher.js';
import { schemaText } from '../src/wire.js';

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/test
const root = path.resolve(here, '../../../..');
const contractDir = process.env.PROMPTLOOP_CONTRACT_DIR ?? path.join(root, 'clients/target/contract');

/** A fixture written by the Java build (module clients, ContractExport). */
export function contract<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(contractDir, name), 'utf8')) as T;
}

/** [salt, unit, bucket, first 8 bytes hex] from the fixture the Java AssignmentTest reads. */
export function assignmentRows(): [string, string, number, string][] {
  const text = readFileSync(path.join(root, 'schemas/src/test/resources/assignment-buckets.csv'), 'utf8');
  return text.split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => {
      const [salt, unit, bucket, hex] = l.split('|');
      return [salt, unit === '""' ? '' : unit, Number(bucket), hex];
    });
}

/** [salt, unit, treatment weights, bucket, arm] from the K-arm fixture the Java AssignmentTest reads. */
export function assignmentArmRows(): [string, string, number[], number, number][] {
  const text = readFileSync(path.join(root, 'schemas/src/test/resources/assignment-arms.csv'), 'utf8');
  return text.split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => {
      const [salt, unit, weights, bucket, arm] = l.split('|');
      return [salt, unit, weights.split(' ').map(Number), Number(bucket), Number(arm)];
    });
}

/** Stand-in for this package's own Sender. */
export class FakeSender implements Sender {
  sent: { topic: string; key: string; value: Buffer }[] = [];
  fail = false;
  async send(topic: string, key: string, value: Buffer): Promise<Delivery> {
    this.sent.push({ topic, key, value });
    if (this.fail) throw new Error('broker down');
    return { partition: 0, offset: String(this.sent.length - 1) };
  }
  async close(): Promise<void> {}
}

/** Stand-in for this package's own Registry: ids as a registry hands them out, the shipped schemas as writers. */
export class FakeRegistry {
  ids = new Map<string, number>();
  async valueSchemaId(topic: string): Promise<number> {
    if (!this.ids.has(topic)) this.ids.set(topic, 1000 + this.ids.size);
    return this.ids.get(topic)!;
  }
  async writerSchema(topic: string, id: number): Promise<string> {
    return schemaText([...this.ids].find(([, i]) => i === id)?.[0] ?? topic);
  }
}
