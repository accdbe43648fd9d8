package cn.midang.cli;

/** A subcommand that carries the global options (language, JSON, debug). */
public interface HasGlobalOptions {
    GlobalOptions globals();
}
