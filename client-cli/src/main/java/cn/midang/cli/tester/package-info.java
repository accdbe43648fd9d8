/**
 * What testing bodies use (SPEC C3): their engagements and the signed destruction attestation.
 * In tester mode the client never writes decrypted content to disk ({@code midang get}).
 */
package cn.midang.cli.tester;
