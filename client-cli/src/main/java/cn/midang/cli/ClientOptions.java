package cn.midang.cli;

import cn.midang.cli.net.MidangClient;
import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Identity;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Who I am and which server: for every command that talks to a server. */
public final class ClientOptions {

    @Option(names = "--server", paramLabel = "URL",
            description = "The server, e.g. http://127.0.0.1:8443 (default: MIDANG_SERVER, then server in ~/.midang/config).")
    String server;

    @Option(names = "--identity", paramLabel = "FILE.p12",
            description = "Your identity file (default: MIDANG_IDENTITY, then identity in ~/.midang/config).")
    Path identity;

    @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Read your passphrase from the first line of FILE (else MIDANG_PASSPHRASE, else a prompt).")
    Path passphraseFile;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /** Opened once per command: unlocking a key file costs a second of key derivation, and a prompt is asked once. */
    private Identity opened;
    private MidangClient client;

    public Identity identity() throws KeysException {
        if (opened != null) {
            return opened;
        }
        if (identity == null) {
            throw new CliFailure(ExitCode.USAGE, "error.identity.none");
        }
        CliFiles.requireFile(identity, "identity");
        char[] pass = Passphrases.existing(passphraseFile, "Passphrase of " + identity);
        try {
            opened = Identity.load(identity, pass);
        } finally {
            Passphrases.wipe(pass);
        }
        return opened;
    }

    public MidangClient client() throws KeysException {
        if (client != null) {
            return client;
        }
        if (server == null || server.isBlank()) {
            throw new CliFailure(ExitCode.USAGE, "error.server.none");
        }
        URI uri;
        try {
            uri = URI.create(server.endsWith("/") ? server : server + "/");
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new CliFailure(ExitCode.USAGE, "error.server.bad", server);
        }
        if (!MidangClient.transportAllowed(uri)) {
            throw new CliFailure(ExitCode.USAGE, "error.server.plain-http", server);
        }
        Midang root = root();
        client = new MidangClient(uri, identity(), clock()).rememberingIn(CliFiles.userHome(root != null ? root.env() : System.getenv()));
        if (root != null) {
            root.closeAtEnd(client); // its selector thread would hold the JVM's exit (D53)
        }
        return client;
    }

    /** The command line this option set belongs to, or null when it is used outside one. */
    private Midang root() {
        return mixee != null && mixee.root().userObject() instanceof Midang m ? m : null;
    }

    /** The clock of this run (the system's, or a test's for an in-process run). */
    public Clock clock() {
        Midang root = root();
        return root != null ? root.clock() : Clock.systemUTC();
    }

    public String serverUrl() {
        return server;
    }
}
