/**
 * The {@code midang} command: one picocli class per subcommand, the message catalogue (Chinese
 * and English), the exit codes, and the one place failures become a line on stderr
 * ({@code FailureHandler}). It never touches Bouncy Castle; everything cryptographic goes through
 * {@code cn.midang.keys}. It never takes a passphrase as a flag value.
 */
package cn.midang.cli;
