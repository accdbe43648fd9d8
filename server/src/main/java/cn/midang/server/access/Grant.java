package cn.midang.server.access;

import cn.midang.server.identity.Caller;

/**
 * Proof that the {@link Guard} allowed {@code action} on {@code target} for {@code caller} and
 * recorded it. Only the guard makes one; services that return stored objects take one.
 */
public final class Grant {
    private final Caller caller;
    private final Action action;
    private final Target target;
    private final ListScope scope;

    Grant(Caller caller, Action action, Target target, ListScope scope) {
        this.caller = caller;
        this.action = action;
        this.target = target;
        this.scope = scope;
    }

    public Caller caller() {
        return caller;
    }

    public Action action() {
        return action;
    }

    public Target target() {
        return target;
    }

    /** For listings: what may be shown. */
    public ListScope scope() {
        return scope;
    }
}
