package cn.midang.console;

import cn.midang.cli.ClientOptions;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.net.MidangClient;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code midang console}: the web console on this computer, for the identity given. */
@Command(name = "console", mixinStandardHelpOptions = true,
        description = {"Start the web console: your work in a browser, with your key still on this computer. It unlocks your",
            "identity once, talks to the server with the same signed requests and checks as every midang command, and serves",
            "pages on 127.0.0.1 only. The address to open (with a token for this run) is the first line printed; the browser",
            "is opened when one is found. Ctrl-C stops it; it stops by itself after --idle minutes without a request."},
        footer = {"", "Examples:", "  midang console --identity .midang-dev/identities/inspector-info.p12",
            "  midang console --port 9000 --no-browser --json"})
public final class ConsoleCommand extends MidangCommand {

    @Mixin ClientOptions client;

    @Option(names = "--port", defaultValue = "0", paramLabel = "P", description = "The port on 127.0.0.1 (default 0: a free one).")
    int port;

    @Option(names = "--no-browser", description = "Only print the address; do not open a browser.")
    boolean noBrowser;

    @Option(names = "--idle", defaultValue = "60", paramLabel = "MINUTES",
            description = "Stop after this many minutes without a request (default ${DEFAULT-VALUE}).")
    long idleMinutes;

    @Override
    public Integer call() throws Exception {
        MidangClient c = client.client();
        c.serverInfo(); // the server's keys checked against the CA before anything is served
        c.me(); // and this key known to it
        Clock clock = Clock.systemUTC();
        ConsoleServer console = ConsoleServer.start(new Pages(c, clock), port, clock);
        String url = console.url();
        if (globals().json) {
            out().println(Output.json(Map.of("url", url)));
        } else {
            out().println(url);
        }
        out().flush();
        err().println(messages().get("console.started", client.identity().certificate().commonName(), c.server(), idleMinutes));
        err().flush();
        if (!noBrowser) {
            openBrowser(url);
        }
        Duration idle = Duration.ofMinutes(idleMinutes);
        ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "midang-console-idle");
            t.setDaemon(true);
            return t;
        });
        watch.scheduleAtFixedRate(() -> {
            try {
                console.stopIfIdle(idle);
            } catch (Exception e) {
                // stopping anyway
            }
        }, 15, 15, TimeUnit.SECONDS);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                console.close();
            } catch (Exception e) {
                // the process ends
            }
        }, "midang-console-stop"));
        console.join();
        watch.shutdownNow();
        return 0;
    }

    /** Opens {@code url} in the user's browser (xdg-open), if there is one; the address is printed either way. */
    private static void openBrowser(String url) {
        try {
            new ProcessBuilder("xdg-open", url).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            // no browser here: the user opens the printed address
        }
    }
}
