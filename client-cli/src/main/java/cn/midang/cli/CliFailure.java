package cn.midang.cli;

/**
 * A failure the user can act on: an exit code and a message key from the catalogue
 * ({@code messages*.properties}) with its arguments. Printed as one line, never a stack trace
 * (unless {@code --debug}).
 */
public final class CliFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;
    private final String key;
    private final transient Object[] args;

    public CliFailure(int exitCode, String key, Object... args) {
        super(key);
        this.exitCode = exitCode;
        this.key = key;
        this.args = args;
    }

    public CliFailure(Throwable cause, int exitCode, String key, Object... args) {
        super(key, cause);
        this.exitCode = exitCode;
        this.key = key;
        this.args = args;
    }

    public int exitCode() {
        return exitCode;
    }

    public String key() {
        return key;
    }

    public Object[] args() {
        return args;
    }
}
