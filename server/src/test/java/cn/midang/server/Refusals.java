package cn.midang.server;

import cn.midang.cli.net.ServerRefusal;

/** The one way attack tests expect a refusal from the server through the real client. */
final class Refusals {

    private Refusals() {}

    /** Something the client does that the server should refuse. */
    interface Call {
        void run() throws Exception;
    }

    /** The server's refusal of {@code call}; any other outcome (allowed, or failing otherwise) fails the test. */
    static ServerRefusal refusal(Call call) {
        try {
            call.run();
        } catch (ServerRefusal r) {
            return r;
        } catch (Exception e) {
            throw new AssertionError("expected a refusal from the server, got " + e, e);
        }
        throw new AssertionError("expected a refusal from the server, but it was allowed");
    }
}
