/** SM3 digests (GB/T 32905) of bytes and streams, in one pass. */
package cn.midang.keys.digest;
