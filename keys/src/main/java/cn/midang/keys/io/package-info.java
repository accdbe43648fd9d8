/**
 * Files written so that a crash leaves the old one or the whole new one ({@link
 * cn.midang.keys.io.SafeFiles}): used for keys, certificates and signatures here, and by the
 * client for everything it writes.
 */
package cn.midang.keys.io;
