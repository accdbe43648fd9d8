package cn.midang.server.refusal;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/** Reading a request body was stopped on purpose (too large, too slow); carries the refusal. */
public final class BodyRefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public BodyRefusedException(ErrorCode code, String detail) {
        super(detail);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    /**
     * The refusal somewhere in {@code t}'s cause chain, if any. Jetty's idle timeout while
     * reading the body counts as {@link ErrorCode#REQUEST_TOO_SLOW}.
     */
    public static Optional<BodyRefusedException> in(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BodyRefusedException b) {
                return Optional.of(b);
            }
            if (c instanceof TimeoutException) {
                return Optional.of(new BodyRefusedException(ErrorCode.REQUEST_TOO_SLOW, c.getMessage()));
            }
        }
        return Optional.empty();
    }
}
