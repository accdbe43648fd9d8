package cn.midang.cli;

import cn.midang.cli.net.ServerRefusal;
import cn.midang.keys.KeysException;
import com.fasterxml.jackson.core.JacksonException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import picocli.CommandLine;

/**
 * Turns every failure into one line on stderr and a documented exit code. A stack trace is
 * printed only with {@code --debug}.
 */
final class FailureHandler implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        GlobalOptions g = GlobalOptions.of(cl.getCommandSpec());
        Messages m = g.messages();
        PrintWriter err = cl.getErr();
        int code;
        String line;
        if (ex instanceof CliFailure f) {
            code = f.exitCode();
            line = m.get(f.key(), f.args());
        } else if (ex instanceof KeysException k) {
            code = exitCodeFor(k.reason());
            // The library's detail is English; Chinese readers get a Chinese headline before it.
            line = m.chinese() ? m.get("reason." + k.reason().name()) + "：" + k.getMessage() : k.getMessage();
        } else if (ex instanceof ServerRefusal r) {
            code = switch (r.status()) {
                case 401 -> ExitCode.AUTHENTICATION;
                case 404 -> ExitCode.NOT_FOUND;
                case 403, 409, 413 -> ExitCode.POLICY;
                case 422 -> ExitCode.INTEGRITY;
                case 400 -> "digest_mismatch".equals(r.code()) ? ExitCode.INTEGRITY : ExitCode.USAGE;
                default -> ExitCode.INTERNAL;
            };
            line = (m.chinese() ? r.messageZh() : r.getMessage()) + " (" + r.code() + ")"
                    + r.problems().stream().map(p -> System.lineSeparator() + "  " + p).reduce("", String::concat);
        } else if (ex instanceof ConnectException || ex instanceof HttpConnectTimeoutException
                || ex instanceof UnresolvedAddressException) {
            code = ExitCode.NETWORK;
            line = m.get("error.network");
        } else if (ex instanceof FileSystemException f) {
            code = f instanceof NoSuchFileException ? ExitCode.NOT_FOUND : ExitCode.INTERNAL;
            line = m.get("error.file", f.getFile(), f.getReason() == null ? f.getClass().getSimpleName() : f.getReason());
        } else if (ex instanceof JacksonException) {
            // The server answered, but not with what Midang's API answers: nothing of it is used.
            code = ExitCode.INTEGRITY;
            line = m.get("error.bad-answer");
        } else if (ex instanceof IOException io) {
            // Not a local file (above): the HTTP exchange broke — the server stopped, or the network
            // dropped, while the request or the answer was under way.
            code = ExitCode.NETWORK;
            line = m.get("error.connection-lost", io.getMessage() == null ? io.getClass().getSimpleName() : io.getMessage());
        } else {
            code = ExitCode.INTERNAL;
            line = m.get("error.internal", ex.getClass().getSimpleName());
        }
        if (g.json) {
            err.println(Output.json(Map.of("error", line, "exit_code", code)));
        } else {
            err.println(m.get("error.prefix") + line);
        }
        if (g.debug) {
            ex.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    static int exitCodeFor(KeysException.Reason r) {
        return switch (r) {
            case WRONG_PASSPHRASE -> ExitCode.AUTHENTICATION;
            case NOT_A_RECIPIENT -> ExitCode.POLICY;
            case IO -> ExitCode.INTERNAL;
            default -> ExitCode.INTEGRITY;
        };
    }

    /** Usage errors: the message and a pointer to help, exit code 2. */
    static final class Usage implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(CommandLine.ParameterException ex, String[] args) {
            PrintWriter err = ex.getCommandLine().getErr();
            CliFailure cause = null;
            for (Throwable t = ex.getCause(); t != null && cause == null; t = t.getCause()) {
                cause = t instanceof CliFailure f ? f : null;
            }
            if (cause != null) {
                // A failure while reading defaults (the settings file): say it in the user's words.
                err.println("midang: " + Messages.forLanguage(null).get(cause.key(), cause.args()));
                err.flush();
                return cause.exitCode();
            }
            Messages m = Messages.forLanguage(GlobalOptions.of(ex.getCommandLine().getCommandSpec()).lang);
            err.println("midang: " + ex.getMessage());
            err.println(m.get("usage.try", ex.getCommandLine().getCommandSpec().qualifiedName() + " --help"));
            err.flush();
            return ExitCode.USAGE;
        }
    }
}
