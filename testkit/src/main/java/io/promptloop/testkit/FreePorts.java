package io.promptloop.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** Free loopback ports for servers whose port is not fixed. */
public final class FreePorts {

    /** Linux's list of the ports it hands out to outgoing connections and to {@code bind(0)}. */
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {}

    /**
     * A port free on 127.0.0.1 now, for another process to listen on a while later (a container's published port):
     * taken below the range the kernel hands out to outgoing connections, so none of the many connections opened
     * meanwhile can take it first — a port from {@code bind(0)} once went to one in the seconds before
     * docker-compose bound it ("address already in use"). Never the same port twice in this JVM.
     */
    public static int forAnotherProcess() {
        int below = ephemeralLowerBound();
        int from = 10_000;
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(from, below);
            if (HANDED_OUT.contains(port)) continue;
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                socket.setReuseAddress(true);
                if (HANDED_OUT.add(port)) return port;
            } catch (IOException taken) {
                // someone listens there: try another
            }
        }
        throw new IllegalStateException("no free port on 127.0.0.1 between " + from + " and " + below);
    }

    /**
     * The lowest ephemeral port (32768 where the kernel does not say, its default). Read by lines: {@code
     * Files.readString} returned only the first character of this zero-sized /proc file here.
     */
    static int ephemeralLowerBound() {
        try {
            int low = Integer.parseInt(
                    Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+")[0]);
            return low > 11_000 ? low : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    /** {@code port} itself, or a port that was free on 127.0.0.1 a moment ago when {@code port} is 0. */
    public static int orFree(int port) {
        if (port != 0) {
            return port;
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }
}
