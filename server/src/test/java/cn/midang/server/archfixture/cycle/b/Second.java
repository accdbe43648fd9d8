package cn.midang.server.archfixture.cycle.b;

/** A deliberate violation for ArchitectureTest: this package and {@code cycle.a} use each other. */
public final class Second {
    public cn.midang.server.archfixture.cycle.a.First back() {
        return new cn.midang.server.archfixture.cycle.a.First();
    }
}
