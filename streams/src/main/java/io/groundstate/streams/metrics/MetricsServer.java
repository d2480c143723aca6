package io.groundstate.streams.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * The HTTP endpoint operators and Kubernetes talk to: {@code /metrics} in the Prometheus text format or
 * OpenMetrics (by the Accept header, as Prometheus negotiates), and {@code /health}, {@code /health/live},
 * {@code /health/ready}, each 200 or 503 with a small JSON body.
 */
public final class MetricsServer implements AutoCloseable {
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /** What the health endpoints report. */
    public record Health(boolean live, boolean ready, String state) {
    }

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds {@code host:port} ({@code [v6]:port} for IPv6; port 0 picks a free one) and starts serving. */
    public static MetricsServer start(String address, PrometheusMeterRegistry registry, Supplier<Health> health) {
        InetSocketAddress bind = parse(address);
        HttpServer server;
        try {
            server = HttpServer.create(bind, 16);
        } catch (BindException e) {
            throw new IllegalStateException("cannot bind the metrics endpoint to " + address + ": " + e.getMessage()
                    + " (set groundstate.metrics.address, or groundstate.metrics.enabled=false)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the metrics endpoint on " + address, e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "groundstate-metrics-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(exchange, registry, health));
        server.start();
        return new MetricsServer(server, executor);
    }

    static InetSocketAddress parse(String address) {
        String a = address.trim();
        int colon = a.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("groundstate.metrics.address: expected host:port, got \"" + address + "\"");
        }
        String host = a.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(a.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("groundstate.metrics.address: bad port in \"" + address + "\"");
        }
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    /** The port actually bound. */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void handle(HttpExchange exchange, PrometheusMeterRegistry registry, Supplier<Health> health)
            throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, "text/plain; charset=utf-8", bytes("method not allowed\n"));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case "/metrics" -> metrics(exchange, registry);
                case "/health", "/health/live", "/health/ready" -> {
                    Health h = health.get();
                    boolean ok = path.equals("/health/live") ? h.live() : h.live() && h.ready();
                    String body = String.format(Locale.ROOT, "{\"status\":\"%s\",\"live\":%b,\"ready\":%b,\"streams\":\"%s\"}\n",
                            ok ? "UP" : "DOWN", h.live(), h.ready(), h.state());
                    respond(exchange, ok ? 200 : 503, "application/json", bytes(body));
                }
                default -> respond(exchange, 404, "text/plain; charset=utf-8",
                        bytes("not found: try /metrics, /health, /health/live or /health/ready\n"));
            }
        }
    }

    private static void metrics(HttpExchange exchange, PrometheusMeterRegistry registry) throws IOException {
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        String type = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : PROMETHEUS_TEXT;
        ByteArrayOutputStream text = new ByteArrayOutputStream(64 * 1024);
        registry.scrape(text, type);
        byte[] body = text.toByteArray();
        String encoding = exchange.getRequestHeaders().getFirst("Accept-Encoding");
        if (encoding != null && encoding.contains("gzip")) {
            ByteArrayOutputStream zipped = new ByteArrayOutputStream(body.length / 4 + 64);
            try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
                gz.write(body);
            }
            body = zipped.toByteArray();
            exchange.getResponseHeaders().set("Content-Encoding", "gzip");
        }
        respond(exchange, 200, type, body);
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
