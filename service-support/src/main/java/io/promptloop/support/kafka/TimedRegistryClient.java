package io.promptloop.support.kafka;

import io.apicurio.registry.resolver.client.RegistryArtifactReference;
import io.apicurio.registry.resolver.client.RegistryClientFacade;
import io.apicurio.registry.resolver.client.RegistryClientFacadeFactory;
import io.apicurio.registry.resolver.client.RegistryVersionCoordinates;
import io.apicurio.registry.resolver.config.SchemaResolverConfig;
import io.apicurio.registry.resolver.strategy.ArtifactReference;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apicurio's registry client with a bound on every call. The client waits for an HTTP answer without a time-out
 * (its Vert.x web client has none, and the serde offers no setting for one), so a request whose answer never comes
 * — a connection the registry or a proxy dropped without a word — held a Kafka consumer for good: a CI run saw the
 * optimizer's listener parked in {@code VertXRequestAdapter.getHttpResponseMessage} for the rest of the run.
 *
 * <p>Each call runs on its own virtual thread and is waited for at most {@value #TIMEOUT_CONFIG} (10 s by
 * default). When it does not answer in time the caller gets a {@link RegistryUnavailableException} — a fault of
 * ours, retried with back-off, never the record's — and the client is replaced by a new one (a new connection
 * pool), so a connection that swallowed a request is not offered the next. Look-ups are rare (the serde caches
 * schemas by id), so a thread per call costs nothing that shows.
 *
 * <p>After a time-out the registry is not asked again for as long as the time-out: calls in that window fail at
 * once. A Kafka consumer decodes every record of a fetch inside {@code poll()}, so without this a silent registry
 * cost the time-out once per record — 20 records, 20 s in a test; 1,000 records at 10 s each would outlast
 * {@code max.poll.interval.ms} and throw the consumer out of its group. (Ten lines, so no circuit-breaker library.)
 *
 * <p>Every other setting ({@code apicurio.registry.*}: URL, authentication, TLS, proxy, retries) is the serde's
 * own: the wrapped client is made by Apicurio's factory from the same configuration.
 */
public final class TimedRegistryClient implements RegistryClientFacade {

    /** The Kafka client property with the longest wait for one registry call, in milliseconds. */
    public static final String TIMEOUT_CONFIG = "promptloop.registry.timeout-ms";

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(TimedRegistryClient.class);

    private final Supplier<RegistryClientFacade> clients;
    private final Duration timeout;
    private volatile RegistryClientFacade client;
    private volatile long quietUntil = System.nanoTime();

    TimedRegistryClient(Supplier<RegistryClientFacade> clients, Duration timeout) {
        this.clients = clients;
        this.timeout = timeout;
        this.client = clients.get();
    }

    /**
     * The client for a serializer's or deserializer's configuration.
     *
     * @param configs the Kafka client's configuration, with the {@code apicurio.registry.*} settings
     * @throws ConfigException when {@value #TIMEOUT_CONFIG} is not a positive whole number
     */
    public static TimedRegistryClient of(Map<String, ?> configs) {
        Duration timeout = timeout(configs.get(TIMEOUT_CONFIG));
        SchemaResolverConfig config = new SchemaResolverConfig(configs);
        return new TimedRegistryClient(() -> RegistryClientFacadeFactory.create(config), timeout);
    }

    static Duration timeout(Object value) {
        if (value == null) return DEFAULT_TIMEOUT;
        long millis;
        try {
            millis = value instanceof Number n
                    ? n.longValue()
                    : Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(TIMEOUT_CONFIG, value, "must be a whole number of milliseconds");
        }
        if (millis <= 0) throw new ConfigException(TIMEOUT_CONFIG, value, "must be positive");
        return Duration.ofMillis(millis);
    }

    private <T> T call(String what, Function<RegistryClientFacade, T> request) {
        if (System.nanoTime() - quietUntil < 0) {
            throw new RegistryUnavailableException(
                    "the schema registry did not answer within " + timeout.toMillis()
                            + " ms a moment ago; not asked again before that much time has passed",
                    null);
        }
        RegistryClientFacade current = client;
        FutureTask<T> task = new FutureTask<>(() -> request.apply(current));
        Thread.ofVirtual().name("registry-call").start(task);
        try {
            return task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            quietUntil = System.nanoTime() + timeout.toNanos();
            replace(current);
            throw new RegistryUnavailableException(
                    "the schema registry did not answer " + what + " within " + timeout.toMillis() + " ms", null);
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException("interrupted while waiting for the schema registry", null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) throw runtime; // as the client threw it (e.g. HTTP 404)
            if (cause instanceof Error error) throw error;
            throw new IllegalStateException(cause);
        }
    }

    /** The next call gets a new client (and connection pool); a concurrent replacement wins once. */
    private synchronized void replace(RegistryClientFacade stale) {
        if (client != stale) return;
        log.warn("the schema registry did not answer within {} ms; opening new connections", timeout.toMillis());
        client = clients.get();
    }

    @Override
    public String getSchemaByContentId(Long contentId) {
        return call("schema of content id " + contentId, c -> c.getSchemaByContentId(contentId));
    }

    @Override
    public String getSchemaByGlobalId(long globalId, boolean dereferenced) {
        return call("schema of global id " + globalId, c -> c.getSchemaByGlobalId(globalId, dereferenced));
    }

    @Override
    public String getSchemaByGAV(String groupId, String artifactId, String version) {
        return call("schema " + artifactId, c -> c.getSchemaByGAV(groupId, artifactId, version));
    }

    @Override
    public String getSchemaByContentHash(String contentHash) {
        return call("schema of a content hash", c -> c.getSchemaByContentHash(contentHash));
    }

    @Override
    public List<RegistryArtifactReference> getReferencesByContentId(long contentId) {
        return call("references of content id " + contentId, c -> c.getReferencesByContentId(contentId));
    }

    @Override
    public List<RegistryArtifactReference> getReferencesByGlobalId(long globalId) {
        return call("references of global id " + globalId, c -> c.getReferencesByGlobalId(globalId));
    }

    @Override
    public List<RegistryArtifactReference> getReferencesByGAV(String groupId, String artifactId, String version) {
        return call("references of " + artifactId, c -> c.getReferencesByGAV(groupId, artifactId, version));
    }

    @Override
    public List<RegistryArtifactReference> getReferencesByContentHash(String contentHash) {
        return call("references of a content hash", c -> c.getReferencesByContentHash(contentHash));
    }

    @Override
    public List<RegistryVersionCoordinates> searchVersionsByContent(
            String schemaString, String artifactType, ArtifactReference reference, boolean canonical) {
        return call(
                "a search by content",
                c -> c.searchVersionsByContent(schemaString, artifactType, reference, canonical));
    }

    @Override
    public RegistryVersionCoordinates createSchema(
            String artifactType,
            String groupId,
            String artifactId,
            String version,
            String autoCreateBehavior,
            boolean canonical,
            String schemaString,
            Set<RegistryArtifactReference> references) {
        return call(
                "the registration of " + artifactId,
                c -> c.createSchema(
                        artifactType,
                        groupId,
                        artifactId,
                        version,
                        autoCreateBehavior,
                        canonical,
                        schemaString,
                        references));
    }

    @Override
    public RegistryVersionCoordinates getVersionCoordinatesByGAV(String groupId, String artifactId, String version) {
        return call("the version of " + artifactId, c -> c.getVersionCoordinatesByGAV(groupId, artifactId, version));
    }

    @Override
    public Object getClient() {
        return client.getClient();
    }
}
