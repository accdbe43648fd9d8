package cn.midang.cli.net;

import java.util.List;

/** The server said no: its stable code and messages, and the HTTP status. */
public final class ServerRefusal extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String messageZh;
    private final List<String> problems;

    public ServerRefusal(int status, String code, String message, String messageZh) {
        this(status, code, message, messageZh, List.of());
    }

    /** A refusal that lists problems in what the user sent (the lines of a campaign file). */
    public ServerRefusal(int status, String code, String message, String messageZh, List<String> problems) {
        super(message);
        this.status = status;
        this.code = code;
        this.messageZh = messageZh;
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String messageZh() {
        return messageZh;
    }
}
