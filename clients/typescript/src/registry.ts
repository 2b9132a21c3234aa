/**
 * The registry calls an agent needs, through Confluent's own client (@confluentinc/schemaregistry) against any
 * Confluent-compatible API (e.g. Apicurio's /apis/ccompat/v7): the id of the shipped schema under
 * `<topic>-value`, and writer schemas by id. Never registers unless asked.
 */
import { SchemaRegistryClient, type ClientConfig } from '@confluentinc/schemaregistry';
import { fingerprint, schemaText } from './wire.js';

export class SchemaRegistryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SchemaRegistryError';
  }
}

export interface RegistryOptions {
  /** `user:password` for HTTP Basic. */
  userInfo?: string;
  /** Register the shipped schema when the subject does not hold it (the registry checks compatibility). */
  autoRegister?: boolean;
}

export class Registry {
  readonly client: SchemaRegistryClient;
  private readonly ids = new Map<string, Promise<number>>();
  private readonly writers = new Map<string, Promise<string>>();

  constructor(
    readonly url: string,
    private readonly options: RegistryOptions = {},
  ) {
    const config: ClientConfig = { baseURLs: [url], maxRetries: 2 };
    if (options.userInfo) config.basicAuthCredentials = { credentialsSource: 'USER_INFO', userInfo: options.userInfo };
    this.client = new SchemaRegistryClient(config);
  }

  /**
   * The id under which the registry holds the shipped schema of `topic`: the latest version when it is the shipped
   * schema (same Parsing Canonical Form), else whichever version of the subject equals it; an error when none does
   * (unless `autoRegister`).
   */
  valueSchemaId(topic: string): Promise<number> {
    let id = this.ids.get(topic);
    if (!id) {
      id = this.lookUp(topic);
      this.ids.set(topic, id);
      id.catch(() => this.ids.delete(topic)); // a failed lookup is tried again next time
    }
    return id;
  }

  private async lookUp(topic: string): Promise<number> {
    const subject = `${topic}-value`;
    const shipped = schemaText(topic);
    try {
      const latest = await this.client.getLatestSchemaMetadata(subject);
      if (latest.schema && fingerprint(latest.schema) === fingerprint(shipped) && latest.id !== undefined) return latest.id;
    } catch {
      // not there, or unreachable: the lookup below says which
    }
    try {
      return await this.client.getId(subject, { schemaType: 'AVRO', schema: shipped }, false);
    } catch (e) {
      if (!this.options.autoRegister) {
        throw new SchemaRegistryError(
          `subject ${subject} at ${this.url} does not hold the schema this package writes (its shipped ${subject}.avsc);` +
            ` register it, or pass autoRegister: true (${(e as Error).message})`,
          { cause: e },
        );
      }
      return await this.client.register(subject, { schemaType: 'AVRO', schema: shipped }, false);
    }
  }

  /** The schema (JSON) a record with this id was written with; ids never change meaning, so it is cached. */
  writerSchema(topic: string, id: number): Promise<string> {
    const key = String(id);
    let schema = this.writers.get(key);
    if (!schema) {
      schema = this.client.getBySubjectAndId(`${topic}-value`, id).then((info) => info.schema);
      this.writers.set(key, schema);
      schema.catch(() => this.writers.delete(key));
    }
    return schema;
  }
}
