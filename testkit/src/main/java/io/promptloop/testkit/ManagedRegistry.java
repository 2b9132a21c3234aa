package io.promptloop.testkit;

/**
 * The schema registry the tests run against: any server with Apicurio's v3 API and the Confluent-compatible
 * ccompat API. Clients differ in which base URL they want, so all three are named here.
 */
public interface ManagedRegistry {

    /** Base URL, e.g. {@code http://127.0.0.1:8080}. */
    String url();

    /** What the Apicurio Java serde wants as {@code apicurio.registry.url}. */
    default String apiV3Url() {
        return url() + "/apis/registry/v3";
    }

    /** What Confluent clients want as {@code schema.registry.url}. */
    default String ccompatUrl() {
        return url() + "/apis/ccompat/v7";
    }
}
