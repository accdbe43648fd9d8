package cn.midang.keys.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock tests move by hand. A {@link #fixed()} clock never reads the wall clock; a
 * {@link #followingSystem()} clock follows the system clock (for tests that drive the real CLI,
 * whose requests carry the system time) plus whatever the test added with {@link #advance}.
 */
public final class MutableClock extends Clock {
    private volatile Instant now;
    private final boolean following;
    private volatile Duration offset = Duration.ZERO;

    public MutableClock(Instant start) {
        this.now = start;
        this.following = false;
    }

    private MutableClock() {
        this.following = true;
    }

    /** The system clock, moved by {@link #advance} and {@link #set} like any other. */
    public static MutableClock followingSystem() {
        return new MutableClock();
    }

    /** Starts at a fixed, round instant so runs are repeatable. */
    public static MutableClock fixed() {
        return new MutableClock(Instant.parse("2026-11-23T01:00:00Z"));
    }

    public void advance(Duration d) {
        if (following) {
            offset = offset.plus(d);
        } else {
            now = now.plus(d);
        }
    }

    public void set(Instant instant) {
        if (following) {
            offset = Duration.between(Instant.now(), instant);
        } else {
            now = instant;
        }
    }

    @Override
    public Instant instant() {
        return following ? Instant.now().plus(offset) : now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
