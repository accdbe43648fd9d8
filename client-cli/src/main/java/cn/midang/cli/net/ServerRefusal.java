package cn.midang.cli.net;

/** The server said no: its stable code and messages, and the HTTP status. */
public final class ServerRefusal extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String messageZh;

    public ServerRefusal(int status, String code, String message, String messageZh) {
        super(message);
        this.status = status;
        this.code = code;
        this.messageZh = messageZh;
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
