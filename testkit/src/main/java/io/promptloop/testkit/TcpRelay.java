package io.promptloop.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A loopback TCP relay in front of a real server, for tests of a dependency that misbehaves on the wire: it
 * forwards, or it takes connections and requests and never answers (what a dropped connection behind a proxy
 * looks like to a client). Switching the mode closes every open connection, so the client meets the new
 * behaviour on its next request. As a JUnit extension ({@code @RegisterExtension static}) it closes after the class.
 */
public final class TcpRelay implements AutoCloseable, AfterAllCallback {

    /** What the relay does with a connection. */
    public enum Mode {
        /** Every byte both ways, to the target and back. */
        FORWARD,
        /** Accepts the connection, reads what comes and never answers. */
        SILENT
    }

    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile Mode mode;

    private TcpRelay(String targetHost, int targetPort, Mode mode) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.mode = mode;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("tcp-relay-" + server.getLocalPort()).start(this::accept);
    }

    /**
     * A relay to the host and port of an HTTP URL.
     *
     * @param target e.g. the registry's API URL
     * @param mode what it does at first
     */
    public static TcpRelay to(URI target, Mode mode) {
        try {
            return new TcpRelay(target.getHost(), target.getPort(), mode);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on a loopback port", e);
        }
    }

    /** The loopback port clients connect to. */
    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** From now on; every open connection is closed. */
    public void mode(Mode mode) {
        this.mode = mode;
        for (Socket socket : open) closeQuietly(socket);
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException closed) {
                return;
            }
            connections.incrementAndGet();
            open.add(client);
            Mode now = mode;
            Thread.ofVirtual().start(() -> {
                try {
                    if (now == Mode.SILENT) {
                        drain(client);
                    } else {
                        forward(client);
                    }
                } finally {
                    closeQuietly(client);
                    open.remove(client);
                }
            });
        }
    }

    private static void drain(Socket client) {
        byte[] buffer = new byte[8192];
        try (InputStream in = client.getInputStream()) {
            while (in.read(buffer) >= 0) {
                // swallowed: no answer ever comes
            }
        } catch (IOException closed) {
            // the client or the relay closed it
        }
    }

    private void forward(Socket client) {
        try (Socket target = new Socket(targetHost, targetPort)) {
            open.add(target);
            Thread back = Thread.ofVirtual().start(() -> pump(target, client));
            pump(client, target);
            back.join();
        } catch (IOException e) {
            // the target refused: the client sees its connection closed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16384];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException closed) {
            // either side went away
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
        for (Socket socket : open) closeQuietly(socket);
    }
}
