package io.promptloop.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The ingest benchmark's optional peer phase (a picocli mixin): Kafka Connect (standalone worker) with Debezium's
 * JDBC sink writing the same rows into the same PostgreSQL, see {@link ConnectPeer}.
 */
final class PeerOptions {

    /** Which peer runs after the service's phase. */
    enum Peer {
        none,
        connect
    }

    @Option(
            names = "--peer",
            paramLabel = "P",
            description = "none (default) or connect: Kafka Connect standalone + Debezium JDBC sink on the same"
                    + " PostgreSQL, from the same rows as Connect JSON with schemas (build its parts first:"
                    + " ./mvnw -B -f benchmarks/connect-peer/pom.xml package)")
    Peer peer = Peer.none;

    @Option(
            names = "--peer-config",
            paramLabel = "CFG",
            description = "one sink configuration to measure, repeatable, each a fresh table and consumer group:"
                    + " batch.size=N,tasks.max=N,max.poll.records=N,unnest=true|false (default "
                    + ConnectPeer.Config.DEFAULT + ")")
    List<String> configs = new ArrayList<>();

    @Option(
            names = "--peer-parts",
            paramLabel = "DIR",
            description = "directory with lib/ (the worker's classpath) and plugins/ (plugin.path) (default"
                    + " benchmarks/connect-peer/target/connect)")
    Path parts;

    @Option(
            names = "--peer-heap",
            paramLabel = "H",
            description = "the Connect worker's -Xmx (default ${DEFAULT-VALUE}, the service's default)")
    String heap = "1g";

    void validate() {
        configs(); // parses each: a bad one fails here, naming the option
    }

    boolean enabled() {
        return peer == Peer.connect;
    }

    List<ConnectPeer.Config> configs() {
        List<String> specs = configs.isEmpty() ? List.of(ConnectPeer.Config.DEFAULT) : configs;
        return specs.stream().map(ConnectPeer.Config::parse).toList();
    }

    Path parts() {
        return parts != null ? parts : Harness.targetDirectory().getParent().resolve("connect-peer/target/connect");
    }
}
