package govplat;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Runs a Neo4j Community DBMS (embedded API) with the Bolt connector on 127.0.0.1.
 *
 * <p>Prints exactly one line, {@code bolt://127.0.0.1:PORT}, on stdout once the default
 * database is available, the password of user {@code neo4j} is set and Bolt accepts
 * connections; everything else goes to stderr or to log files under the home dir.
 * Stops cleanly on SIGTERM/SIGINT (shutdown hook).
 *
 * <pre>
 * java -cp ... govplat.Neo4jLauncher --home DIR [--port N] [--strict-port]
 *      [--pagecache 64m] [--tx-memory 1024m] [--conf neo4j.conf] [--pid-file FILE]
 * env NEO4J_PASSWORD  password for user neo4j (default govplat-test-pw, min. 8 chars)
 * </pre>
 *
 * Exit codes: 0 stopped by a signal, 1 failed to start, 2 bad usage or port taken.
 */
public final class Neo4jLauncher {
    static final String DEFAULT_PASSWORD = "govplat-test-pw";
    static final String HOST = "127.0.0.1";

    private Neo4jLauncher() {}

    public static void main(String[] args) throws Exception {
        // The URI line is the only thing on stdout: anything a library prints there goes
        // to stderr, which the server script sends to a log file.
        PrintStream uriOut = System.out;
        System.setOut(System.err);

        Path home = null;
        int port = BoltConnector.DEFAULT_PORT;
        boolean strictPort = false;
        String pagecache = "64m";
        String txMemory = "1024m"; // db.memory.transaction.max: what one query may take (GOVPLAT_QUERY_MEMORY_MB)
        Path conf = null;
        Path pidFile = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--home" -> home = Path.of(need(args, ++i, a));
                case "--port" -> port = Integer.parseInt(need(args, ++i, a));
                case "--strict-port" -> strictPort = true;
                case "--pagecache" -> pagecache = need(args, ++i, a);
                case "--tx-memory" -> txMemory = need(args, ++i, a);
                case "--conf" -> conf = Path.of(need(args, ++i, a));
                case "--pid-file" -> pidFile = Path.of(need(args, ++i, a));
                default -> usage("unknown argument: " + a);
            }
        }
        if (home == null) usage("--home DIR is required");
        String password = System.getenv().getOrDefault("NEO4J_PASSWORD", "");
        if (password.isEmpty()) password = DEFAULT_PASSWORD;
        if (password.length() < 8) usage("NEO4J_PASSWORD must have at least 8 characters");

        if (!portFree(port)) {
            if (strictPort) {
                System.err.println("neo4j-launcher: port " + port + " on " + HOST + " is in use");
                System.exit(2);
            }
            int taken = port;
            port = freePort();
            System.err.println("neo4j-launcher: port " + taken + " is in use, using " + port);
        }

        home = home.toAbsolutePath();
        Files.createDirectories(home);
        if (pidFile != null) {
            Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
        }
        long t0 = System.nanoTime();

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                .setUserLogProvider(new Log4jLogProvider(System.err, Level.INFO))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(HOST, port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.logs_directory, home.resolve("logs"))
                .setConfig(GraphDatabaseSettings.pagecache_memory, bytes(pagecache))
                .setConfig(GraphDatabaseSettings.memory_transaction_max_size, bytes(txMemory))
                .setConfig(GraphDatabaseSettings.pagecache_warmup_enabled, false)
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // Bolt's Netty event loops wait a 5 s quiet period each by default: a stop
                // took 12 s. Nobody is left to serve once we are told to stop.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout,
                        Duration.ofSeconds(5));
        if (conf != null) builder.loadPropertiesFromFile(conf);

        DatabaseManagementService dbms;
        try {
            dbms = builder.build();
        } catch (RuntimeException e) {
            System.err.println("neo4j-launcher: failed to start the DBMS");
            e.printStackTrace();
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("neo4j-launcher: shutting down");
            try {
                dbms.shutdown();
                System.err.println("neo4j-launcher: stopped");
            } catch (Throwable t) {
                t.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "neo4j-launcher-shutdown"));

        try {
            GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            if (!db.isAvailable(TimeUnit.MINUTES.toMillis(3))) {
                throw new IllegalStateException("default database not available after 3 minutes");
            }
            setPassword(dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME), password);
            waitForBolt(port, Duration.ofSeconds(60));
        } catch (Exception e) {
            System.err.println("neo4j-launcher: DBMS started but is not usable");
            e.printStackTrace();
            System.exit(1);
        }

        System.err.printf(Locale.ROOT, "neo4j-launcher: ready on bolt://%s:%d in %.1f s (JVM up %.1f s, CPU %.1f s)%n",
                HOST, port, (System.nanoTime() - t0) / 1e9,
                ManagementFactory.getRuntimeMXBean().getUptime() / 1e3, cpuSeconds());
        uriOut.println("bolt://" + HOST + ":" + port);
        uriOut.flush();
        stopped.await(); // returns only during shutdown; the JVM exits after the hook
    }

    static double cpuSeconds() {
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime() / 1e9;
        }
        return Double.NaN;
    }

    /** Sets the password of user neo4j, no change required at first login. */
    static void setPassword(GraphDatabaseService system, String password) {
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PLAINTEXT PASSWORD $pw CHANGE NOT REQUIRED",
                    Map.of("pw", password));
        } catch (QueryExecutionException e) {
            // A kept data dir that already has this password: Neo4j refuses a "change"
            // to the same value, which is what we want anyway.
            String msg = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            if (!msg.contains("same")) throw e;
        }
    }

    static void waitForBolt(int port, Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(HOST, port), 1000);
                return;
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new IOException("Bolt does not accept connections on " + HOST + ":" + port, last);
    }

    static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true); // as the Bolt server does: TIME_WAIT leftovers are fine
            s.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    static long bytes(String size) {
        String s = size.trim().toLowerCase(Locale.ROOT);
        long mult = 1;
        char last = s.charAt(s.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            mult = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
            s = s.substring(0, s.length() - 1);
        }
        return Long.parseLong(s) * mult;
    }

    static String need(String[] args, int i, String flag) {
        if (i >= args.length) usage(flag + " needs a value");
        return args[i];
    }

    static void usage(String problem) {
        System.err.println("neo4j-launcher: " + problem);
        System.err.println("usage: govplat.Neo4jLauncher --home DIR [--port N] [--strict-port]"
                + " [--pagecache 64m] [--tx-memory 1024m] [--conf FILE] [--pid-file FILE]   (env NEO4J_PASSWORD)");
        System.exit(2);
    }
}
