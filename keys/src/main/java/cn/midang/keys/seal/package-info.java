/**
 * Sign-then-encrypt envelopes for uploads and downloads: {@link cn.midang.keys.seal.Sealer},
 * {@link cn.midang.keys.seal.Opener}, and {@link cn.midang.keys.seal.Rewrapper}, which
 * re-addresses a package to new readers without touching its content. Rule C4 (encrypted
 * everywhere) rests here. The format is CMS AuthEnvelopedData (SM4-GCM) around CMS SignedData
 * (SM3withSM2), described in {@code docs/CRYPTO.md}.
 */
package cn.midang.keys.seal;
