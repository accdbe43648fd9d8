package cn.midang.server.access;

import cn.midang.server.identity.Caller;
import cn.midang.server.submission.ListScope;

/**
 * Proof that the {@link Guard} allowed {@code action} on {@code target} for {@code caller} and
 * recorded it. Only the guard makes one; an endpoint cannot be called without one (its type takes
 * it), so no endpoint runs undecided.
 */
public final class Grant<T extends Target> {
    private final Caller caller;
    private final Action action;
    private final T target;
    private final ListScope scope;

    Grant(Caller caller, Action action, T target, ListScope scope) {
        this.caller = caller;
        this.action = action;
        this.target = target;
        this.scope = scope;
    }

    /** The authenticated caller; null only on a public route. */
    public Caller caller() {
        return caller;
    }

    public Action action() {
        return action;
    }

    /** What was decided on, with the facts the policy looked at (the campaign, the stored submission, ...). */
    public T target() {
        return target;
    }

    /** For listings: what may be shown. */
    public ListScope scope() {
        return scope;
    }
}
