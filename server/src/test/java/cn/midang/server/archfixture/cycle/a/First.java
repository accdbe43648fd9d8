package cn.midang.server.archfixture.cycle.a;

/** A deliberate violation for ArchitectureTest: this package and {@code cycle.b} use each other. */
public final class First {
    public cn.midang.server.archfixture.cycle.b.Second next() {
        return new cn.midang.server.archfixture.cycle.b.Second();
    }
}
